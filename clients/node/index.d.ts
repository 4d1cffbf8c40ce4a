// Type definitions for @procgroup/hub (see README.md and sidecar/PROTOCOL.md).

import {EventEmitter} from 'node:events';

/** Pandora's ObjectDescription; `{name, tag}` is published as `name.tag`. */
export type ObjectDescription = string | {name: string; tag?: string};

/** Pandora's ConsumerExtInfo, plus the hub's pins. */
export interface ProxyOptions {
  /** Per-call timeout in ms (the hub's default is 30000, its maximum 600000). */
  timeout?: number;
  /** Only call providers of this process name. */
  process?: string;
  /** Only call providers in this pod. */
  pod?: string;
}

/** A W3C trace context (https://www.w3.org/TR/trace-context/): what a hub call carries and a served method runs in. */
export interface TraceContext {
  /** `00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`. */
  traceparent: string;
  /** Vendors' entries, forwarded as given (the sidecar refuses more than 512 characters or 32 entries). */
  tracestate?: string;
}

/** ProxyOptions for one `invoke`/`invokeAll`, which may name its trace context instead of the active one. */
export interface InvokeOptions extends ProxyOptions {
  traceContext?: TraceContext;
}

export interface HubOptions {
  /** The sidecar; default PROCGROUP_HUB_URL or http://127.0.0.1:7070. */
  url?: string;
  /** How long publish/unpublish/subscribe wait for the hub's acknowledgement (ms, default 10000). */
  ackTimeout?: number;
  /** First and longest pause between reconnect attempts (ms, default 100 and 2000). */
  reconnectMin?: number;
  reconnectMax?: number;
  /** A result frame larger than this fails its call with PayloadTooLarge instead of being sent (the sidecar would
   *  drop the connection). Match the sidecar's PROCGROUP_MAX_BODY_BYTES; default 1048576. */
  maxFrameBytes?: number;
  logger?: {error(...args: unknown[]): void};
}
/** @deprecated the former name of HubOptions */
export type HubClientOptions = HubOptions;

export interface EventSource {
  pod: string;
  process: string;
}

export type EventHandler<T = any> = (data: T, from: EventSource) => unknown;

export interface Context {
  group: string | null;
  process: string | null;
  namespace: string | null;
  pod: string | null;
  podIP: string | null;
  [key: string]: unknown;
}

export interface ProviderInfo {
  pod: string;
  process: string;
  local: boolean;
  ready: boolean;
}

export interface ObjectInfo {
  name: string;
  /** Published methods; names starting with '$' are the client's reserved ones (Pandora's getProperty, actions). */
  methods: string[];
  properties: string[];
  providers: ProviderInfo[];
  /** The process spec.services declares this object for; null when nobody declared it. */
  declaredFor: string | null;
}

/** Pandora's Introspection (names only: the hub does not carry arity or generator flags). */
export interface Introspection {
  methods: {name: string; type: 'function'}[];
  properties: {name: string}[];
  /** The object implements subscribe/unsubscribe (object events). */
  events: boolean;
  providers: ProviderInfo[];
}

/** Pandora's object-proxy extras. */
export interface ProxyExtras {
  /** A data property or getter of the remote object (null when it has none of that name). */
  getProperty<V = any>(name: string): Promise<V>;
  /** Object events: `fn(...params)` for every `cb(...params)` the host object's subscribe(register, cb) received. */
  subscribe(register: string, fn: (...params: any[]) => unknown): Promise<true>;
  /** Removes `fn`, or every listener of `register`; the host's unsubscribe runs when the last one leaves. */
  unsubscribe(register: string, fn?: (...params: any[]) => unknown): Promise<true>;
}

/** Every method of T becomes an async remote call; properties are read with getProperty (reading them throws). */
export type RemoteProxy<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
} & ProxyExtras;

/**
 * What getProxy returns: awaiting it (or `.then`) introspects and yields the RemoteProxy with exactly the published
 * methods, or rejects with ObjectNotFound at once; used without await, every method name is a late-bound remote call.
 */
export type PendingProxy<T> = PromiseLike<RemoteProxy<T>> & RemoteProxy<T> & {
  catch<R = never>(onrejected: (reason: HubError) => R | PromiseLike<R>): Promise<RemoteProxy<T> | R>;
  finally(onfinally: () => void): Promise<RemoteProxy<T>>;
};

/** A failed call: the remote error's name/message/code (source 'remote') or the hub's own (source 'hub'). */
export class HubError extends Error {
  name: string;
  code: string | null;
  source: 'remote' | 'hub';
  /** The sidecar's HTTP status, when it answered. */
  status?: number;
}

/** Pandora's ObjectConsumer. */
export class ObjectConsumer<T = any> {
  readonly objectDescription: {name: string; tag?: string};
  invoke<R = any>(method: string, params?: unknown[]): Promise<R>;
  getProperty<V = any>(name: string): Promise<V>;
  introspect(): Promise<Introspection>;
  getProxy(): Promise<RemoteProxy<T>>;
  subscribe(register: string, fn: (...params: any[]) => unknown): Promise<true>;
  unsubscribe(register: string, fn?: (...params: any[]) => unknown): Promise<true>;
}

/**
 * Pandora's selector: `objectName` (+ `objectTag`/`tag`) picks the processes publishing that object, `processName` a
 * process, `clientId` a pod, `appName` must be this group. `pid` is refused (pids mean nothing across pods).
 */
export interface Selector {
  objectName?: string;
  objectTag?: string;
  tag?: string;
  processName?: string;
  clientId?: string;
  appName?: string;
  pid?: never;
}

/** Pandora's Location of a process. */
export interface Location {
  appName: string;
  processName: string;
  /** The pod: one app process per pod. */
  clientId: string;
}

/** What a handler of `hubClient.on(action, handler)` receives. */
export interface HubMessage {
  action: string;
  data?: any;
  host: Location;
  remote: Selector;
  [key: string]: unknown;
}

export interface ReplyPackage<D = any> {
  success: boolean;
  data?: D;
  error?: HubError;
  host?: Partial<Location>;
}

/** Pandora's HubClient (`getHub().getHubClient()`): messages routed by selector. */
export class SelectorClient extends EventEmitter {
  /** Resolves once this process is reachable by selectors without objectName (`on(action)` starts it too). */
  start(): Promise<void>;
  getLocation(): Promise<Location>;
  /** One matching process answers; options of `message`: timeout (ms), data, and anything the handler reads. */
  invoke<D = any>(selector: Selector, action: string, message?: {timeout?: number; data?: any; [k: string]: unknown}): Promise<ReplyPackage<D>>;
  /** Every matching process answers, failures included; [] when nobody matches. */
  multipleInvoke<D = any>(selector: Selector, action: string, message?: {timeout?: number; data?: any; [k: string]: unknown}): Promise<ReplyPackage<D>[]>;
  send(selector: Selector, action: string, message?: {data?: any; [k: string]: unknown}): void;
  multipleSend(selector: Selector, action: string, message?: {data?: any; [k: string]: unknown}): void;
  /** Withdraws this process's objects that the selector matches (all of them for `{}`). */
  unpublish(selector?: Selector): Promise<{success: true; batchReply: {success: true; object: string}[]}>;
  on(action: string, handler: (message: HubMessage) => unknown): this;
}

/** One process's hub (Pandora's getHub() facade). */
export class Hub extends EventEmitter {
  constructor(options?: HubOptions);
  readonly url: string;
  /** Pandora's getHub().publish(impl, desc). */
  publish(impl: object | (new () => object), desc: ObjectDescription): Promise<void>;
  publishObject(name: ObjectDescription, impl: object | (new () => object)): Promise<void>;
  unpublish(name: ObjectDescription): Promise<void>;
  getProxy<T = any>(name: ObjectDescription, options?: ProxyOptions): PendingProxy<T>;
  getConsumer<T = any>(name: ObjectDescription, options?: ProxyOptions): ObjectConsumer<T>;
  getHubClient(): SelectorClient;
  invoke<R = any>(object: ObjectDescription, method: string, args?: unknown[], options?: InvokeOptions): Promise<R>;
  /** Every provider's answer: `Procgroup-Fanout: all`. */
  invokeAll<R = any>(object: ObjectDescription, method: string, args?: unknown[], options?: InvokeOptions):
    Promise<({pod: string; process: string; result: R; error?: undefined} | {pod: string; process: string; error: HubError})[]>;
  describe(object: ObjectDescription): Promise<ObjectInfo>;
  listObjects(): Promise<ObjectInfo[]>;
  subscribe<T = any>(event: string, handler: EventHandler<T>): Promise<void>;
  unsubscribe(event: string, handler?: EventHandler): Promise<void>;
  broadcast(event: string, data?: unknown): Promise<number>;
  context(): Promise<Context>;
  location(): Promise<Location>;
  close(): Promise<void>;

  on(event: 'connect' | 'disconnect' | 'closed', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'handlerError', listener: (err: unknown, event: string) => void): this;
}
/** The former name of Hub (the same class). */
export {Hub as HubClient};

/** The process's default Hub (created on first use). */
export function getHub(): Hub;
export function getHubClient(): SelectorClient;
export function publishObject(name: ObjectDescription, impl: object | (new () => object)): Promise<void>;
export function unpublish(name: ObjectDescription): Promise<void>;
export function getProxy<T = any>(name: ObjectDescription, options?: ProxyOptions): PendingProxy<T>;
export function getConsumer<T = any>(name: ObjectDescription, options?: ProxyOptions): ObjectConsumer<T>;
export function invoke<R = any>(object: ObjectDescription, method: string, args?: unknown[], options?: InvokeOptions): Promise<R>;
export function subscribe<T = any>(event: string, handler: EventHandler<T>): Promise<void>;
export function unsubscribe(event: string, handler?: EventHandler): Promise<void>;
export function broadcast(event: string, data?: unknown): Promise<number>;
export function context(): Promise<Context>;
/** Closes the default hub; the next call creates a fresh one. */
export function close(): Promise<void>;
/** The trace context active here (AsyncLocalStorage): a served method's, or withTraceContext's; null outside any. */
export function getTraceContext(): TraceContext | null;
/** Runs `fn` with `ctx` active (null: none); every hub call made inside, however deep, carries it. */
export function withTraceContext<R>(ctx: TraceContext | null, fn: () => R): R;
export function objectId(desc: ObjectDescription): string;
/** PROCGROUP_GROUP (Pandora's appName). */
export const appName: string | undefined;
/** PROCGROUP_PROCESS (Pandora's processName). */
export const processName: string | undefined;
/** Pandora's `env`: NODE_ENV mapped as its DefaultEnvironment did. */
export const env: 'production' | 'prepub' | 'test' | 'development';

// ---------------------------------------------------------------- the procfile runner (require('@procgroup/hub/procfile'))

/** What a procfile service is constructed with (Pandora's service context, the part the runner provides). */
export interface ServiceContext<C = any> {
  serviceName: string;
  processName: string;
  appName: string | undefined;
  /** The procfile's `.config({...})` for this service ({} without one). */
  config: C;
  /** stdout/stderr with Pandora's `[serviceName: s, processName: p]` prefix. */
  logger: {debug(...a: any[]): void; info(...a: any[]): void; warn(...a: any[]): void; error(...a: any[]): void; log(...a: any[]): void};
  getProxy<T = any>(name: ObjectDescription, options?: ProxyOptions): PendingProxy<T>;
  getHub(): Hub;
}

/** A Pandora service: constructed with its context; start() and stop() are optional. */
export interface Service {
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}
export type ServiceClass = new (ctx: ServiceContext) => Service;

export interface ProcfileProcess {
  argv(v: string[]): ProcfileProcess;
  nodeArgs(v: string[]): ProcfileProcess;
  args(v: string[]): ProcfileProcess;
  scale(v: number | 'auto'): ProcfileProcess;
  env(v: Record<string, string>): ProcfileProcess;
  order(v: number): ProcfileProcess;
  entry(v: string): ProcfileProcess;
  mode(v: string): ProcfileProcess;
}

export interface ProcfileService {
  process(name: string): ProcfileService;
  config(config: object | (() => object)): ProcfileService;
  publish(publish?: boolean): ProcfileService;
  dependency(names: string | string[]): ProcfileService;
}

/** The `pandora` object a procfile's exported function receives. */
export interface ProcfileDsl {
  dev: boolean;
  env: string | undefined;
  appName: string | undefined;
  process(name: string): ProcfileProcess;
  /** A path is resolved from the procfile's directory. */
  service(name: string, impl: string | ServiceClass): ProcfileService;
}

export interface ProcfileRunner {
  /** The services started, in start order. */
  services: string[];
  declared: {processes: Map<string, object>; services: object[]};
  /** Reverse order: unpublish (if published), then stop(). */
  stop(): Promise<void>;
}
