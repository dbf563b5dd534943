/**
 * The `nats` runtime: worker processes on any number of machines, reached through a NATS server
 * with core (at-most-once) request/reply — a lost message is simply a straggler.
 *
 * Subjects (prefix default 'uep'):
 *   <prefix>.task          tasks; workers subscribe in the queue group '<prefix>-workers', so each
 *                          task goes to one worker process (the W logical workers are spread over
 *                          the processes by the queue group);
 *   <prefix>.cancel        12 bytes (run, step, product, uint32 LE): the call is over;
 *   <prefix>.reply.<run>   the reply subject of every task of one run: the server sees every
 *                          reply, also late ones, and counts them.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Dispatcher, type Transport } from './dispatcher.ts';
import { newRunTag } from './run-tag.ts';
import { UserError } from '../util/user-error.ts';
import type { Runtime } from './runtime.ts';

/** How to reach the NATS server. */
export interface NatsConnectOptions {
  /** e.g. nats://127.0.0.1:4222 */
  server: string;
  token?: string;
  user?: string;
  pass?: string;
  /** Subject prefix (default 'uep'). */
  prefix?: string;
  /** Connection name shown by the server. */
  name?: string;
}

export const DEFAULT_SERVER = 'nats://127.0.0.1:4222';
export const DEFAULT_PREFIX = 'uep';

/** How a connection failure is worded: the flag that gave the URL, and whether the command needs JetStream. */
export interface ConnectContext {
  /** Flag without dashes (default 'server'). */
  flag?: string;
  jetstream?: boolean;
}

/** The `nats-server` command line that would serve `url`. */
function serverHint(url: string, jetstream: boolean): string {
  const port = /:(\d+)\/?$/.exec(url)?.[1] ?? '4222';
  return `nats-server ${jetstream ? '-js ' : ''}-p ${port}`;
}

/**
 * Connects with reconnection for ever (250 ms apart); when the server is not there, a
 * {@link UserError} (one line, no stack) naming the flag and how to start one.
 */
export async function connectNats(o: NatsConnectOptions, ctx: ConnectContext = {}): Promise<NatsConnection> {
  const flag = ctx.flag ?? 'server';
  try {
    return await connect({
      servers: o.server,
      token: o.token,
      user: o.user,
      pass: o.pass,
      name: o.name,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: 5000,
    });
  } catch (err) {
    throw new UserError(`--${flag}: cannot connect to the NATS server at ${o.server} (${(err as Error).message}); start one with \`${serverHint(o.server, ctx.jetstream ?? false)}\` or give --${flag}`);
  }
}

/** Whether `err` says the server has no JetStream (JetStreamNotEnabled, or no responder on the JetStream API). */
export function isNoJetStream(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: unknown };
  return e?.name === 'JetStreamNotEnabled' || /jetstream is not enabled|no responders/i.test(String(e?.message ?? '')) || String(e?.code) === '503';
}

/** The one line for a server without JetStream. */
export function noJetStreamError(url: string, flag: string): UserError {
  return new UserError(`--${flag}: the NATS server at ${url} has no JetStream: start nats-server with -js (\`${serverHint(url, true)}\`)`);
}

/**
 * Closes a connection promptly: drains it (pending messages flushed) when the server answers
 * within `drainMs`, else closes it — a drain while the server is gone waits for a reconnection
 * that may never come (a stop signal then hung the process).
 */
export async function closeNats(nc: NatsConnection, drainMs = 2000): Promise<void> {
  if (nc.isClosed()) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((r) => (timer = setTimeout(r, drainMs)));
  await Promise.race([nc.drain().catch(() => undefined), timeout]);
  clearTimeout(timer);
  if (!nc.isClosed()) await nc.close().catch(() => undefined);
}

/** Encodes a cancel message. */
export function cancelBytes(run: number, step: number, product: number): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  v.setUint32(0, run >>> 0, true);
  v.setUint32(4, step >>> 0, true);
  v.setUint32(8, product >>> 0, true);
  return out;
}

/** Decodes a cancel message (undefined when it is not 12 bytes). */
export function decodeCancel(b: Uint8Array): { run: number; step: number; product: number } | undefined {
  if (b.byteLength !== 12) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { run: v.getUint32(0, true), step: v.getUint32(4, true), product: v.getUint32(8, true) };
}

/** Connects to the server and returns the runtime (the parameter-server side). */
export async function startNatsRuntime(o: NatsConnectOptions): Promise<Runtime & { connection: NatsConnection }> {
  const nc = await connectNats({ ...o, name: o.name ?? 'uep-server' });
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  const run = newRunTag();
  const replySubject = `${prefix}.reply.${run}`;
  let handler: (b: Uint8Array) => void = () => {};
  let noWorkers: () => void = () => {};
  nc.subscribe(replySubject, {
    callback: (_err, msg) => {
      // the server's "no responders" notice (status 503, no data) when no worker subscribes to the tasks: not a reply
      if (msg.headers?.code === 503 && msg.data.length === 0) noWorkers();
      else handler(msg.data);
    },
  });
  const publish = (subject: string, data: Uint8Array, reply?: string) => {
    try {
      nc.publish(subject, data, reply ? { reply } : undefined);
    } catch {
      // closed or disconnected beyond buffering: the task is a straggler
    }
  };
  const transport: Transport = {
    maxPayload: nc.info?.max_payload ?? 1024 * 1024,
    send: (bytes) => publish(`${prefix}.task`, bytes, replySubject),
    cancel: (tag) => publish(`${prefix}.cancel`, cancelBytes(tag.run, tag.step, tag.product)),
    onReply: (h) => (handler = h),
    close: async () => {
      if (!nc.isClosed()) await nc.close();
    },
  };
  await nc.flush();
  const d = new Dispatcher('nats', transport, run);
  noWorkers = () => d.countNoWorkers();
  const listeners: ((up: boolean) => void)[] = [];
  void (async () => {
    let up = true;
    for await (const st of nc.status()) {
      if ((st.type === 'disconnect' && up) || (st.type === 'reconnect' && !up)) {
        up = !up;
        for (const l of listeners) l(up);
      }
    }
  })().catch(() => undefined);
  return Object.assign(d, { connection: nc, onConnection: (l: (up: boolean) => void) => void listeners.push(l) });
}
