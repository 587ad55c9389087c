import { invalidInput } from '@flux-capacitor/contracts';
import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/**
 * Validates a body, query or param against a zod schema and hands the parsed value on; a value that fails is an
 * `invalid-input` FluxError (400, every issue named). Use as `@Body(new ZodValidationPipe(schema))`.
 */
@Injectable()
export class ZodValidationPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.infer<T> {
    // A missing body or query string is an empty object; a missing single field (`@Query('format')`) stays undefined.
    const parsed = this.schema.safeParse(value === undefined && !metadata.data ? {} : value);
    if (!parsed.success) throw invalidInput(parsed.error, { root: metadata.data ?? metadata.type });
    return parsed.data;
  }
}
