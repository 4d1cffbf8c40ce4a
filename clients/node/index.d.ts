// Type definitions for @procgroup/hub (see README.md and sidecar/PROTOCOL.md).

import {EventEmitter} from 'node:events';

/** Pandora's ObjectDescription; `{name, tag}` is published as `name.tag`. */
export type ObjectDescription = string | {name: string; tag?: string};

export interface ProxyOptions {
  /** Per-call timeout in ms (the hub's default is 30000, its maximum 600000). */
  timeout?: number;
  /** Only call providers of this process name. */
  process?: string;
}

export interface HubClientOptions {
  /** The sidecar; default PROCGROUP_HUB_URL or http://127.0.0.1:7070. */
  url?: string;
  /** How long publish/unpublish wait for the hub's acknowledgement (ms, default 10000). */
  ackTimeout?: number;
  /** First and longest pause between reconnect attempts (ms, default 100 and 2000). */
  reconnectMin?: number;
  reconnectMax?: number;
  /** A result frame larger than this fails its call with PayloadTooLarge instead of being sent (the sidecar would
   *  drop the connection). Match the sidecar's PROCGROUP_MAX_BODY_BYTES; default 1048576. */
  maxFrameBytes?: number;
  logger?: {error(...args: unknown[]): void};
}

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

export interface ObjectInfo {
  name: string;
  methods: string[];
  providers: {pod: string; process: string; local: boolean; ready: boolean}[];
}

/** Every method of T becomes an async remote call; properties cannot be read (use methods). */
export type RemoteProxy<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
} & {
  /** Pandora compatibility: always rejects with NotSupported (the hub publishes methods only). */
  getProperty(name: string): Promise<never>;
};

/** A failed call: the remote error's name/message/code (source 'remote') or the hub's own (source 'hub'). */
export class HubError extends Error {
  name: string;
  code: string | null;
  source: 'remote' | 'hub';
  /** The sidecar's HTTP status, when it answered. */
  status?: number;
}

export class HubClient extends EventEmitter {
  constructor(options?: HubClientOptions);
  readonly url: string;
  /** Pandora compatibility: `getHub().getHubClient()` is the client itself. */
  getHubClient(): this;
  publishObject(name: ObjectDescription, impl: object | (new () => object)): Promise<void>;
  unpublish(name: ObjectDescription): Promise<void>;
  getProxy<T = any>(name: ObjectDescription, options?: ProxyOptions): RemoteProxy<T>;
  invoke<R = any>(object: ObjectDescription, method: string, args?: unknown[], options?: ProxyOptions): Promise<R>;
  subscribe<T = any>(event: string, handler: EventHandler<T>): Promise<void>;
  unsubscribe(event: string, handler?: EventHandler): Promise<void>;
  broadcast(event: string, data?: unknown): Promise<number>;
  context(): Promise<Context>;
  listObjects(): Promise<ObjectInfo[]>;
  close(): Promise<void>;

  on(event: 'connect' | 'disconnect' | 'closed', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'handlerError', listener: (err: unknown, event: string) => void): this;
}

/** The process's default HubClient (created on first use). */
export function getHub(): HubClient;
export function publishObject(name: ObjectDescription, impl: object | (new () => object)): Promise<void>;
export function unpublish(name: ObjectDescription): Promise<void>;
export function getProxy<T = any>(name: ObjectDescription, options?: ProxyOptions): RemoteProxy<T>;
export function invoke<R = any>(object: ObjectDescription, method: string, args?: unknown[], options?: ProxyOptions): Promise<R>;
export function subscribe<T = any>(event: string, handler: EventHandler<T>): Promise<void>;
export function unsubscribe(event: string, handler?: EventHandler): Promise<void>;
export function broadcast(event: string, data?: unknown): Promise<number>;
export function context(): Promise<Context>;
/** Closes the default hub; the next call creates a fresh one. */
export function close(): Promise<void>;
export function objectId(desc: ObjectDescription): string;
/** PROCGROUP_GROUP (Pandora's appName). */
export const appName: string | undefined;
/** PROCGROUP_PROCESS (Pandora's processName). */
export const processName: string | undefined;
/** Pandora's `env`: NODE_ENV mapped as its DefaultEnvironment did. */
export const env: 'production' | 'prepub' | 'test' | 'development';
