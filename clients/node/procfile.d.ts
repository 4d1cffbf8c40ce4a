import type {Hub, ProcfileDsl, ProcfileRunner} from './index';
export type {ServiceContext, Service, ServiceClass, ProcfileDsl, ProcfileRunner} from './index';

/** Evaluates the procfile and starts the services of `processName` (default PROCGROUP_PROCESS) on `hub`. */
export function run(procfilePath: string, options?: {processName?: string; hub?: Hub; logger?: Pick<Console, 'debug' | 'info' | 'warn' | 'error'>}): Promise<ProcfileRunner>;
export function declare(procfile: (pandora: ProcfileDsl) => void, facts?: {env?: string; appName?: string}): ProcfileRunner['declared'];
