import { QueryService } from '@flux-capacitor/query-engine';
import { ReplayWorker } from '@flux-capacitor/replay';
import { SqsMessagingModule } from '@flux-capacitor/sqs-transport';
import { Inject, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ReplayLifecycleHandler } from './replay-lifecycle.handler';
import { ReplayController } from './replay.controller';
import { replayProviders } from './replay.providers';

/** Replays: the /v1/replays API, the worker that plans and runs them, and the replay.lifecycle handler. */
@Module({
  imports: [SqsMessagingModule.forRoot({ consumer: 'replay-coordinator' })],
  controllers: [ReplayController, ReplayLifecycleHandler],
  providers: replayProviders,
})
export class ReplayModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(ReplayWorker) private readonly worker: ReplayWorker,
    @Inject(QueryService) private readonly queries: QueryService,
  ) {}

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  // Before the database closes: running replays save their checkpoints and hand their leases back.
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
    this.queries.close();
  }
}
