const {publishObject} = require('@procgroup/hub'); // procgroup: the process requires the hub itself (no procfile facade)

class ServiceA {
  async getPid() {
    return process.pid;
  }
}

// define ServiceA in process a
// publish serviceA to IPC-Hub
publishObject('serviceA', ServiceA).catch(console.error); // procgroup: .service('serviceA', ServiceA).process('a').publish()
