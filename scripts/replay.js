#!/usr/bin/env node
// Plays a traffic-view capture (JSON) as a simulated device; see nodes/cli/replay.ts (npm run build first).
"use strict";
require("../dist/nodes/cli/replay.js").main();
