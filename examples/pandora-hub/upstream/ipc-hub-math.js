const {getProxy, publishObject} = require('dorapan');

async function main() {

  // publish Math to IPC-Hub
  await publishObject('math', math);

  // Get object proxy
  const proxy = await getProxy('math');

  // invoke methods through await
  const val = await proxy.abs(-1234);
  console.log(val);
}

main().catch(console.error);
