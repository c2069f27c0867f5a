import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../server';

/** Placeholder until the provider's routes land (issue 3). */
export function registerActivePlatform(_app: FastifyInstance, _ctx: SandboxContext): void {}
