export { BearerAuthGuard, RequireRole, type Principal } from './auth/bearer-auth.guard';
export { EXIT_CONFIG, bootstrapService, type BootstrapOptions } from './bootstrap';
export { DomainError, HTTP_STATUS_OF_KIND } from './errors/domain-error';
export { DomainErrorFilter } from './errors/domain-error.filter';
export { FluxServiceModule, SERVICE_OPTIONS, type Dependency, type FluxServiceOptions } from './flux-service.module';
export { archiveCheck, kinesisCheck, postgresCheck, sqsCheck } from './health/dependency-checks';
export { HealthRegistry, type HealthCheckFn, type HealthReport } from './health/health.registry';
export { SERVICES, SERVICE_NAMES, type ServiceName } from './service-name';
