const hub = require('@procgroup/hub'); // procgroup: the hub client is the service context (it has getProxy)

class ServiceB {
  constructor(context) {
    this.context = context;
  }
  async start() {
    // or require('@procgroup/hub').getProxy()
    const serviceA = await this.context.getProxy('serviceA');
    const pid = await serviceA.getPid();
    console.log();
    console.log();
    console.log('pid from serviceA', pid);
    console.log('pid from self', process.pid);
    console.log();
    console.log();
    console.log();
  }
}

// define serviceB in process b
new ServiceB(hub).start().catch(console.error); // procgroup: .service('serviceB', ServiceB).process('b') constructed and started it
