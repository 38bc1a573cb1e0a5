#!/usr/bin/env node
// Empties dist/ before a build, so a module that was moved or removed in nodes/ leaves no stale copy behind.
"use strict";
const fs = require("fs");
const path = require("path");

fs.rmSync(path.join(__dirname, "..", "dist"), { recursive: true, force: true });
