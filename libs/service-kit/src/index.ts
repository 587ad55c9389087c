export { RequireRole, type Principal } from './auth/bearer-auth.guard';
export { bootstrapService } from './bootstrap';
export { DomainError, HTTP_STATUS_OF_KIND } from './errors/domain-error';
export { DomainErrorFilter } from './errors/domain-error.filter';
export { FluxServiceModule } from './flux-service.module';
export { HealthRegistry } from './health/health.registry';
export { SERVICES, SERVICE_NAMES, type ServiceName } from './service-name';
