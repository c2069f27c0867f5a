#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's CommonJS hooks: no build step, the same sources the tests run.
'use strict';
require('tsx/cjs/api').register();
require('../cli/main.ts').main();
