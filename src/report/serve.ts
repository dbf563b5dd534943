/**
 * The live report server (`npm run serve`): node:http on 127.0.0.1 by default, read-only over
 * one folder. Routes (GET/HEAD only):
 *   /              the report page in live mode (it polls model.json every pollMs)
 *   /model.json    the report model, rescanned on each request (parsed files cached by size
 *                  and mtime, so a poll re-reads only what changed: growing metrics, new runs);
 *                  with an ETag, so an unchanged model costs the page a 304 and no parsing
 *   /files/<path>  a file under the folder (figure CSVs, sidecars, images), never outside it
 */
import { createHash } from 'node:crypto';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, relative, resolve, sep } from 'node:path';
import { OptionError } from '../util/option-error.ts';
import { reportHtml } from './html.ts';
import { ReportInputError, scanResults } from './scan.ts';

export interface ServeOptions {
  dir: string;
  host: string;
  /** 0: any free port. */
  port: number;
  pollMs: number;
}

export interface ReportServer {
  /** e.g. http://127.0.0.1:8525/ */
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Starts serving `o.dir`.
 * @throws ReportInputError when the folder is missing; OptionError naming --port when the port is in use
 */
export async function startReportServer(o: ServeOptions): Promise<ReportServer> {
  let root: string;
  try {
    root = realpathSync(o.dir);
    if (!statSync(root).isDirectory()) throw new Error();
  } catch {
    throw new ReportInputError(`${o.dir}: no such folder`);
  }
  const cache = new Map<string, { key: string; value: unknown }>();
  const given = resolve(o.dir);
  const scan = () => scanResults([o.dir], { href: (p) => `files/${relative(given, resolve(p)).split(sep).map(encodeURIComponent).join('/')}`, cache });

  const send = (res: ServerResponse, code: number, type: string, body: string) => {
    res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/' || path === '/index.html') return send(res, 200, 'text/html; charset=utf-8', reportHtml(scan(), { pollMs: o.pollMs }));
    if (path === '/model.json') {
      // unchanged since the page's last poll (same results; the scan time aside): 304, no body
      const { generatedAt: _at, ...rest } = scan();
      const body = JSON.stringify({ generatedAt: new Date().toISOString(), ...rest });
      const etag = `"${createHash('sha1').update(JSON.stringify(rest)).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, 'cache-control': 'no-cache' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', etag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      return res.end(body);
    }
    if (path.startsWith('/files/')) {
      let file: string;
      try {
        file = realpathSync(resolve(given, decodeURIComponent(path.slice('/files/'.length))));
      } catch {
        return send(res, 404, 'text/plain', 'not found\n');
      }
      // only files inside the folder (after symlinks), never outside it
      if (!file.startsWith(root + sep) || !statSync(file).isFile()) return send(res, 404, 'text/plain', 'not found\n');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
      return;
    }
    send(res, 404, 'text/plain', 'not found\n');
  };
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      if (!res.headersSent) send(res, 500, 'text/plain', `${(err as Error).message}\n`);
      else res.destroy();
    }
  });
  await new Promise<void>((done, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') fail(new OptionError('port', `port ${o.port} on ${o.host} is in use; choose another with --port (0: any free port)`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') fail(new OptionError('host', `cannot listen on ${o.host} (${err.code})`));
      else fail(err);
    });
    server.listen(o.port, o.host, () => done());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
