#!/usr/bin/env node
// Validates Kubernetes manifests offline against the API schemas shipped in
// the npm package kubernetes-models: types, enums, required fields and
// formats (its validators), plus unknown fields (a typo such as
// `readinesProbe` is accepted by those validators but refused by
// `kubectl apply`), found by walking the package's type declarations.
//
//   node validate_schema.js FILE.yaml...
// Exit status: 0 all valid, 1 any invalid, 2 bad usage or unreadable input.
"use strict";

const fs = require("fs");
const path = require("path");
const YAML = require("yaml");

// --- Known fields, from the .d.ts files of kubernetes-models -------------

const declarationCache = new Map();

// Parses one .d.ts: its imports (alias -> file) and the properties of its
// exported interface (name -> type text). null when it declares no
// interface (a type alias such as Quantity or Time: a leaf).
function readDeclaration(file) {
  if (declarationCache.has(file)) return declarationCache.get(file);
  const text = fs.readFileSync(file, "utf8");
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
    imports.set(m[1], resolveImport(file, m[2]));
  }
  const block = text.match(/^export interface \w+[^{]*\{\n([\s\S]*?)^\}/m);
  let result = null;
  if (block) {
    const properties = new Map();
    for (const m of block[1].matchAll(/^ {4}"([^"]+)"\??: (.*)$/gm)) {
      properties.set(m[1], m[2].replace(/;$/, ""));
    }
    result = { imports, properties };
  }
  declarationCache.set(file, result);
  return result;
}

function resolveImport(fromFile, spec) {
  if (spec.startsWith(".")) {
    return path.resolve(path.dirname(fromFile), spec) + ".d.ts";
  }
  // A package path ("@scope/pkg/sub/Name"): the nearest node_modules that
  // holds the package (its "exports" map hides .d.ts files from require).
  const parts = spec.split("/");
  const pkgLength = spec.startsWith("@") ? 2 : 1;
  const pkg = parts.slice(0, pkgLength).join("/");
  const rest = parts.slice(pkgLength).join("/");
  for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", pkg, rest + ".d.ts");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`cannot find the declaration of ${spec} (from ${fromFile})`);
}

// Reports every key of `value` the declaration does not know, recursively.
function checkKnownFields(value, file, where, errors) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return;
  }
  const declaration = readDeclaration(file);
  if (!declaration) return;
  for (const [key, child] of Object.entries(value)) {
    const type = declaration.properties.get(key);
    if (type === undefined) {
      errors.push(`${where}/${key}: unknown field`);
      continue;
    }
    const array = type.match(/^Array<(\w+)>$/);
    const name = array ? array[1] : type;
    const childFile = declaration.imports.get(name);
    if (!childFile) continue;  // string, number, record, enum, ...
    if (array && Array.isArray(child)) {
      child.forEach((item, i) =>
        checkKnownFields(item, childFile, `${where}/${key}/${i}`, errors));
    } else if (!array) {
      checkKnownFields(child, childFile, `${where}/${key}`, errors);
    }
  }
}

// --- Per document ---------------------------------------------------------

function modelFor(apiVersion, kind) {
  // "v1" -> kubernetes-models/v1/Kind; "apps/v1" -> kubernetes-models/apps/v1/Kind
  const id = `kubernetes-models/${apiVersion}/${kind}`;
  let main;
  try {
    main = require.resolve(id, { paths: [__dirname] });
  } catch {
    return null;
  }
  const Model = require(main)[kind];
  if (typeof Model !== "function") return null;
  return { Model, declaration: main.replace(/\.js$/, ".d.ts") };
}

function validateDocument(doc) {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return ["not a Kubernetes object (a mapping with apiVersion and kind)"];
  }
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return ["apiVersion and kind are required"];
  }
  const model = modelFor(apiVersion, kind);
  if (!model) return [`no schema for ${apiVersion} ${kind} (unknown kind?)`];
  const errors = [];
  try {
    new model.Model(doc).validate();
  } catch (e) {
    errors.push(String(e.message || e).replace(/^data/, ""));
  }
  checkKnownFields(doc, model.declaration, "", errors);
  return errors;
}

function main(files) {
  if (files.length === 0) {
    console.error("usage: node validate_schema.js FILE.yaml...");
    return 2;
  }
  let objects = 0;
  let invalid = 0;
  for (const file of files) {
    let docs;
    try {
      docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
    } catch (e) {
      console.error(`${file}: ${e.message}`);
      return 2;
    }
    for (const parsed of docs) {
      if (parsed.errors.length > 0) {
        console.log(`FAIL ${file}: YAML: ${parsed.errors[0].message}`);
        invalid++;
        continue;
      }
      const doc = parsed.toJS();
      if (doc === null) continue;  // empty document
      objects++;
      const name = `${doc.kind || "?"}/${(doc.metadata || {}).name || "?"}`;
      const errors = validateDocument(doc);
      if (errors.length > 0) invalid++;
      for (const error of errors) console.log(`FAIL ${file}: ${name}: ${error}`);
    }
  }
  console.log(`schema: ${objects - invalid} of ${objects} objects valid`);
  return invalid === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
