export { createKinesisClient, createS3Client, createSqsClient } from './clients';
export { decodeBase64Strict, KinesisJsonProtocol } from './kinesis-json-protocol';
export { EmfWriter, emfEvent, type EmfValue } from './emf';
