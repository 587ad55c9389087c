export { createKinesisClient, createS3Client, createSqsClient } from './clients';
