module.exports = function (pandora) {

  // define two processes
  pandora
    .process('a')
    .scale(1);
  pandora
    .process('b')
    .scale(1);

  // define two services(Service)
  // (These services are written in procfile.js, we normally don't recommend
  // service implementation in this way.)
  class ServiceA() {
    async getPid() {
      return process.pid;
    }
  }
  class ServiceB() {
    constructor(context) {
      this.context = context;
    }
    async start() {
      // or require('dorapan').getProxy()
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

  // define ServiceA in process a
  pandora
    .service('serviceA', ServiceA)
    .process('a')
    // publish serviceA to IPC-Hub
    .publish();

  // define serviceB in process b
  pandora
    .service('serviceB', ServiceB)
    .process('b');
};
