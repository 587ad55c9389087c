// Entry point for the TypeORM CLI (`npx typeorm -d libs/persistence/src/typeorm-cli.data-source.ts ...`).
import 'reflect-metadata';
import { loadConfig } from '@flux-capacitor/config';
import { createDataSource } from './data-source';

export default createDataSource(loadConfig().database.url);
