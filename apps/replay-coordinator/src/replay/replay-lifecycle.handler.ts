import type { ReplayLifecycle } from '@flux-capacitor/contracts';
import { ReplayWorker } from '@flux-capacitor/replay';
import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

/**
 * Handles `replay.lifecycle`: a new or resumed replay wakes this instance to claim it now rather than at its next
 * poll; a pause or cancel stops the run at once if this instance holds it (otherwise its owner sees the state at
 * its next progress save). The state itself is in Postgres; the message only saves time.
 */
@Controller()
export class ReplayLifecycleHandler {
  private readonly logger = new Logger(ReplayLifecycleHandler.name);

  constructor(private readonly worker: ReplayWorker) {}

  @EventPattern('replay.lifecycle')
  handle(@Payload() payload: ReplayLifecycle): void {
    this.logger.debug({ msg: 'replay lifecycle', replayId: payload.replayId, event: payload.event });
    if (payload.event === 'paused' || payload.event === 'cancelled') this.worker.stopLocal(payload.replayId, payload.event);
    else this.worker.wake();
  }
}
