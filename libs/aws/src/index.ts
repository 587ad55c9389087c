export { createKinesisClient, createS3Client, createSqsClient, type AwsSettings } from './clients';
