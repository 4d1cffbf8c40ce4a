'use strict';
// require('@procgroup/hub/procfile'): Pandora's procfile services in a ProcessGroup process (lib/procfile.js).
module.exports = require('./lib/procfile');
