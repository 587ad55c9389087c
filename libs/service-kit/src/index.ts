export { RequireRole, type Principal } from './auth/bearer-auth.guard';
export { bootstrapService } from './bootstrap';
export { HTTP_STATUS_OF_KIND } from './errors/problem-details';
export { ProblemDetailsFilter } from './errors/problem-details.filter';
export { ZodValidationPipe } from './errors/zod-validation.pipe';
export { useBodyLimit } from './http/body-limit';
export { FluxServiceModule } from './flux-service.module';
export { HealthRegistry } from './health/health.registry';
export { SERVICES, SERVICE_NAMES, type ServiceName } from './service-name';
