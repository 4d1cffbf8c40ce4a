'use strict';

// The procfile DSL without a hub: what a procfile declares, and which services a process starts, in what order.

const test = require('node:test');
const assert = require('node:assert/strict');
const {declare, servicesOf, publishedInterface} = require('../procfile');

const procfile = (pandora) => {
  pandora.process('background').argv(['--max-old-space-size=512']).scale(1);
  pandora.service('b', class {}).process('background').dependency(['a']).publish();
  pandora.service('a', class {}).process('background');
  pandora.service('w', class {}).config({port: 5511});
};

test('declarations are recorded; a service without .process() is in worker, as in Pandora', () => {
  const d = declare(procfile);
  assert.deepEqual(d.processes.get('background'), {name: 'background', argv: ['--max-old-space-size=512'], scale: 1});
  const w = d.services.find((s) => s.name === 'w');
  assert.equal(w.process, 'worker');
  assert.deepEqual(w.config, {port: 5511});
  assert.equal(w.publish, false);
  assert.equal(d.services.find((s) => s.name === 'b').publish, true);
});

test("a process starts only its services, each after its dependencies", () => {
  const d = declare(procfile);
  assert.deepEqual(servicesOf(d, 'background').map((s) => s.name), ['a', 'b']);
  assert.deepEqual(servicesOf(d, 'worker').map((s) => s.name), ['w']);
  assert.deepEqual(servicesOf(d, 'agent'), []);
});

test('a dependency cycle is an error', () => {
  const d = declare((p) => {
    p.service('x', class {}).dependency('y');
    p.service('y', class {}).dependency('x');
  });
  assert.throws(() => servicesOf(d, 'worker'), /dependency cycle x -> y -> x/);
});

test('the published interface is the class chain\'s methods, bound, without the lifecycle', () => {
  class Base { start() {} stop() {} shared() { return this.v; } }
  class Svc extends Base { constructor() { super(); this.v = 7; } take() { return this.v * 2; } }
  const api = publishedInterface(new Svc());
  assert.deepEqual(Object.keys(api).sort(), ['shared', 'take']);
  assert.equal(api.take(), 14);
  assert.equal(api.shared(), 7);
});
