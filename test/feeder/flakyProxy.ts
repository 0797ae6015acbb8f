// A local HTTP JSON-RPC proxy that loses traffic on purpose, for the feeder's tests: in front of a node it
// drops a request before forwarding it, answers 503 instead, or forwards it and drops the response (the
// node acted, the client never hears). Decisions come from a seeded generator, so a run is repeatable.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "../../scripts/feeder/generate";

export interface FlakyRates {
  /** Close the connection without forwarding. */
  dropRequest: number;
  /** Answer HTTP 503 without forwarding. */
  serverError: number;
  /** Forward, then close the connection instead of answering. */
  dropResponse: number;
}

export interface FlakyProxy {
  url: string;
  /** Requests seen, and what was done to them, per JSON-RPC method. */
  counts: Map<
    string,
    { seen: number; droppedRequests: number; serverErrors: number; droppedResponses: number }
  >;
  /** Also drop the response of the first `n` eth_sendRawTransaction / eth_sendTransaction requests. */
  dropFirstSendResponses: number;
  close(): Promise<void>;
}

const SENDS = new Set(["eth_sendRawTransaction", "eth_sendTransaction"]);

/** Starts a proxy on a free local port forwarding to `target` (or, with no target, failing every request). */
export async function startFlakyProxy(
  target: string | undefined,
  rates: FlakyRates,
  seed = 1,
): Promise<FlakyProxy> {
  const random = seededRandom(seed);
  const counts: FlakyProxy["counts"] = new Map();
  const proxy: FlakyProxy = { url: "", counts, dropFirstSendResponses: 0, close: async () => {} };
  let sendsDropped = 0;

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      let method = "(unparsable)";
      try {
        const parsed = JSON.parse(body) as { method?: string } | { method?: string }[];
        method = Array.isArray(parsed)
          ? `batch(${parsed.map((p) => p.method).join(",")})`
          : String(parsed.method);
      } catch {
        // counted under "(unparsable)"
      }
      const count = counts.get(method) ?? {
        seen: 0,
        droppedRequests: 0,
        serverErrors: 0,
        droppedResponses: 0,
      };
      counts.set(method, count);
      count.seen++;
      const roll = random();
      if (target === undefined || roll < rates.serverError) {
        count.serverErrors++;
        response.writeHead(503, { "content-type": "text/plain" }).end("service unavailable");
        return;
      }
      if (roll < rates.serverError + rates.dropRequest) {
        count.droppedRequests++;
        request.socket.destroy();
        return;
      }
      const forcedDrop = SENDS.has(method) && sendsDropped < proxy.dropFirstSendResponses;
      const dropAfter = forcedDrop || roll < rates.serverError + rates.dropRequest + rates.dropResponse;
      fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body })
        .then(async (upstream) => {
          const text = await upstream.text();
          if (dropAfter) {
            if (forcedDrop) sendsDropped++;
            count.droppedResponses++;
            request.socket.destroy();
            return;
          }
          response.writeHead(upstream.status, { "content-type": "application/json" }).end(text);
        })
        .catch(() => request.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
