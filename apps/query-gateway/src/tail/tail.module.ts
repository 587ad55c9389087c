import { KinesisClient } from '@aws-sdk/client-kinesis';
import { StreamTail } from '@flux-capacitor/query-engine';
import { Module } from '@nestjs/common';
import { TailController } from './tail.controller';

/** GET /v1/streams/:stream/tail: the newest records of a stream, straight from Kinesis. */
@Module({
  controllers: [TailController],
  providers: [{ provide: StreamTail, inject: [KinesisClient], useFactory: (kinesis: KinesisClient) => new StreamTail(kinesis) }],
})
export class TailModule {}
