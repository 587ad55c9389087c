import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** The web console's settings endpoint; its files are served by serveConsole (static, before Nest's router). */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
