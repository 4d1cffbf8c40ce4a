'use strict';

// Trace context through two REAL sidecars with span export on, to an OTLP/HTTP receiver in this test: the provider's
// method runs in the context of its sidecar's span, and a hub call made inside it continues the same trace.

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const {setTimeout: sleep} = require('node:timers/promises');
const {HubClient, getTraceContext, withTraceContext} = require('../..');
const {pair} = require('./sidecars');
const {until} = require('../support/until');

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const APP_SPAN = 'b7ad6b7169203331';
const spans = []; // every span received, with its sidecar's pod
let receiver;
let a;
let b;
const clients = [];
function client(sidecar) {
  const c = new HubClient({url: sidecar.url, reconnectMin: 50, reconnectMax: 500});
  clients.push(c);
  return c;
}

function attr(list, key) {
  const found = (list || []).find((x) => x.key === key);
  return found && found.value.stringValue;
}

const spansOf = (traceId) => spans.filter((s) => s.traceId === traceId);
const parentOf = (traceparent) => traceparent.split('-')[2];

test.before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      for (const rs of JSON.parse(body).resourceSpans) {
        const pod = attr(rs.resource.attributes, 'k8s.pod.name');
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({...s, pod});
      }
      res.writeHead(200, {'content-type': 'application/json'}).end('{}');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  [a, b] = await pair({PROCGROUP_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.address().port}`});
});
test.after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([a?.kill(), b?.kill()]);
  receiver?.close();
});

test("a provider's method runs in its sidecar's span, child of the caller sidecar's span, child of the caller's", async () => {
  const seen = [];
  await client(a).publishObject('tracedSnapshot', {take: () => { seen.push(getTraceContext()); return 'ok'; }});
  const proxy = await client(b).getProxy('tracedSnapshot');
  const tp = `00-${TRACE}-${APP_SPAN}-01`;
  assert.equal(await withTraceContext({traceparent: tp, tracestate: 'app=1'}, () => proxy.take()), 'ok');

  await until(() => assert.equal(spansOf(TRACE).length, 2, JSON.stringify(spans)), 15000);
  const clientSpan = spansOf(TRACE).find((s) => s.kind === 3);
  const serverSpan = spansOf(TRACE).find((s) => s.kind === 2);
  assert.equal(clientSpan.pod, 'pod-b');
  assert.equal(clientSpan.parentSpanId, APP_SPAN);
  assert.equal(serverSpan.pod, 'pod-a');
  assert.equal(serverSpan.parentSpanId, clientSpan.spanId);
  assert.deepEqual(seen, [{traceparent: `00-${TRACE}-${serverSpan.spanId}-01`, tracestate: 'app=1'}]);
});

test('a hub call made inside a served method continues its trace, and concurrent calls keep their own', async () => {
  const inner = [];
  await client(b).publishObject('tracedInner', {
    async record(tag) { inner.push([tag, getTraceContext()]); return tag; },
  });
  const innerProxy = await client(a).getProxy('tracedInner');
  await client(a).publishObject('tracedOuter', {
    async work(tag, delay) {
      await sleep(delay); // the other call runs meanwhile: each must still see its own context
      return innerProxy.record(tag);
    },
  });
  const outer = await client(b).getProxy('tracedOuter');
  const traces = {one: '11111111111111111111111111111111', two: '22222222222222222222222222222222'};
  await Promise.all([
    withTraceContext({traceparent: `00-${traces.one}-${APP_SPAN}-01`}, () => outer.work('one', 200)),
    withTraceContext({traceparent: `00-${traces.two}-${APP_SPAN}-01`}, () => outer.work('two', 10)),
  ]);
  assert.equal(getTraceContext(), null, 'no context leaks out of withTraceContext');

  for (const tag of ['one', 'two']) {
    const [, ctx] = inner.find(([t]) => t === tag);
    assert.equal(ctx.traceparent.split('-')[1], traces[tag], `${tag} stays in its trace`);
    // outer call: b CLIENT -> a SERVER (the method's context); inner call: a CLIENT (child of it) -> b SERVER
    await until(() => assert.equal(spansOf(traces[tag]).length, 4, JSON.stringify(spansOf(traces[tag]))), 15000);
    const s = spansOf(traces[tag]);
    const outerServer = s.find((x) => x.kind === 2 && x.pod === 'pod-a');
    const innerClient = s.find((x) => x.kind === 3 && x.pod === 'pod-a');
    const innerServer = s.find((x) => x.kind === 2 && x.pod === 'pod-b');
    assert.equal(innerClient.parentSpanId, outerServer.spanId);
    assert.equal(innerServer.parentSpanId, innerClient.spanId);
    assert.equal(parentOf(ctx.traceparent), innerServer.spanId);
  }
});

test('withTraceContext refuses a malformed traceparent and the sidecar a malformed tracestate', async () => {
  assert.throws(() => withTraceContext({traceparent: '00-abc-01'}, () => {}), TypeError);
  await client(a).publishObject('tracedBad', {m: () => 1});
  const proxy = await client(b).getProxy('tracedBad');
  await assert.rejects(withTraceContext({traceparent: `00-${TRACE}-${APP_SPAN}-01`, tracestate: 'NOT VALID'},
    () => proxy.m()), (err) => err.name === 'BadRequest' && err.status === 400);
});
