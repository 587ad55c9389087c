export { createTestDatabase, getStack, testConfig, testEnvironment, uniqueName, type TestDatabase } from './harness';
export { startServiceProcess, type ServiceProcess } from './service-process';
export { startKinesisFaultProxy, type KinesisFaultProxy } from './kinesis-fault-proxy';
export { startTcpFaultProxy, type FaultMode, type TcpFaultProxy } from './tcp-fault-proxy';
export { createStream, putInOrder, readStream, waitUntilActive, type StreamRecord } from './kinesis-streams';
export { seededRandom } from './seeded-random';
export { records, shardRangesOf, writeArchiveObject, writeLayout1Object } from './archive-fixture';
export { registerArchiveObjects, syntheticSequenceNumber, writeSyntheticArchive, type SyntheticObject } from './synthetic-archive';
export { receiveDeadLetters, type DeadLetter } from './dead-letters';
