export { BearerAuthGuard, RequireRole, type Principal } from './auth/bearer-auth.guard';
export { EXIT_CONFIG, bootstrapService, type BootstrapOptions } from './bootstrap';
export { HTTP_STATUS_OF_KIND, type ProblemDetails } from './errors/problem-details';
export { ProblemDetailsFilter } from './errors/problem-details.filter';
export { ZodValidationPipe } from './errors/zod-validation.pipe';
export { FluxServiceModule, SERVICE_OPTIONS, type Dependency, type FluxServiceOptions } from './flux-service.module';
export { archiveCheck, kinesisCheck, postgresCheck, sqsCheck } from './health/dependency-checks';
export { HealthRegistry, type HealthCheckFn, type HealthReport } from './health/health.registry';
export { SERVICES, SERVICE_NAMES, type ServiceName } from './service-name';
