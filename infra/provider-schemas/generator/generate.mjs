// Generates infra/provider-schemas/aws.json and gcp.json: the subset of each provider's Pulumi schema
// that `check` and the tests use (resource and function tokens, input and output names and types,
// required inputs, nested object types, the provider's own inputs and config keys), for the tokens
// listed in ../tokens.txt. Source: the providers' official generated Node.js SDKs on npm, whose
// .d.ts/.js files the Pulumi code generator writes from schema.json (method: README.md beside this file).
//
//   node infra/provider-schemas/generator/generate.mjs                 # regenerate from tokens.txt
//   node infra/provider-schemas/generator/generate.mjs --add TOKEN...  # add resource/function types, regenerate
//
// Needs Node.js and npm (npm fetches the two SDK packages and the TypeScript parser once, into ~/.cache).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, "..");
// Outside the repository: Pulumi's YAML host scans the project folder for *.yaml files.
const cache = process.env.MIMICINFRA_SCHEMA_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(process.env.HOME ?? here, ".cache"), "mimicinfra-provider-schemas");
const manifest = JSON.parse(fs.readFileSync(path.join(here, "package.json"), "utf8"));
const tokensFile = path.join(outDir, "tokens.txt");

// ---- tokens -------------------------------------------------------------------------------------
const args = process.argv.slice(2);
let tokens = fs.readFileSync(tokensFile, "utf8").split("\n").map(l => l.replace(/#.*/, "").trim()).filter(Boolean);
if (args[0] === "--add") {
  for (const t of args.slice(1)) {
    if (!/^[a-z]+:[A-Za-z0-9]+\/[A-Za-z0-9]+:[A-Za-z0-9]+$/.test(t)) fail(`'${t}' is not a token such as aws:scheduler/schedule:Schedule`);
    tokens.push(t);
  }
  tokens = [...new Set(tokens)].sort();
  const header = fs.readFileSync(tokensFile, "utf8").split("\n").filter(l => l.startsWith("#"));
  fs.writeFileSync(tokensFile, [...header, ...tokens].join("\n") + "\n");
} else if (args.length > 0) fail("usage: generate.mjs [--add TOKEN ...]");

// ---- inputs: the SDK packages and the TypeScript parser ----------------------------------------
fs.mkdirSync(cache, { recursive: true });
function npmPack(spec) {
  const dir = path.join(cache, spec.replace(/[@/]/g, "_"));
  if (!fs.existsSync(path.join(dir, "package", "package.json"))) {
    fs.mkdirSync(dir, { recursive: true });
    const file = execFileSync("npm", ["pack", spec, "--silent", "--pack-destination", dir], { encoding: "utf8" }).trim().split("\n").pop();
    execFileSync("tar", ["xzf", path.join(dir, file), "-C", dir]);
  }
  return path.join(dir, "package");
}
const ts = (await import(path.join(npmPack(`typescript@${manifest.devDependencies.typescript}`), "lib", "typescript.js"))).default;

// ---- TypeScript declarations -> schema ----------------------------------------------------------
const parsed = new Map();
function source(file) {
  if (!parsed.has(file)) parsed.set(file, ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true));
  return parsed.get(file);
}

/** Interfaces of types/input.d.ts or output.d.ts, by module ("index" for top level) and name. */
function interfacesOf(file) {
  const map = new Map();
  const visit = (node, mod) => {
    if (ts.isInterfaceDeclaration(node)) map.set(`${mod}:${node.name.text}`, node);
    else if (ts.isModuleDeclaration(node) && node.body) {
      const inner = mod === "index" ? node.name.text : `${mod}.${node.name.text}`;
      node.body.forEachChild(c => visit(c, inner));
    } else if (ts.isModuleBlock(node)) node.forEachChild(c => visit(c, mod));
  };
  source(file).forEachChild(c => visit(c, "index"));
  return map;
}

function jsdoc(node) {
  const doc = ts.getJSDocCommentsAndTags(node).find(ts.isJSDoc);
  const text = typeof doc?.comment === "string" ? doc.comment : (doc?.comment ?? []).map(c => c.text ?? "").join("");
  return text ? text.slice(0, 300) : undefined;
}
function deprecated(node) {
  const tag = ts.getJSDocTags(node).find(t => t.tagName.text === "deprecated");
  return tag ? (typeof tag.comment === "string" ? tag.comment : "deprecated") : undefined;
}

class Package {
  constructor(name, spec) {
    this.name = name;
    this.root = npmPack(spec);
    this.version = JSON.parse(fs.readFileSync(path.join(this.root, "package.json"), "utf8")).version;
    this.inputs = interfacesOf(path.join(this.root, "types", "input.d.ts"));
    this.outputs = interfacesOf(path.join(this.root, "types", "output.d.ts"));
    this.types = {};
    this.pending = [];
  }

  /** The SDK file of a token (`aws:s3/bucketObjectv2:BucketObjectv2` -> s3/bucketObjectv2.d.ts), matched case-insensitively. */
  fileOf(token) {
    const [, modFile] = token.split(":");
    const [mod, file] = modFile.split("/");
    const dir = mod === "index" ? this.root : path.join(this.root, mod);
    const hit = fs.existsSync(dir) && fs.readdirSync(dir).find(f => f.toLowerCase() === `${file.toLowerCase()}.d.ts`);
    if (!hit) fail(`${token}: no ${mod}/${file}.d.ts in ${this.name} ${this.version}`);
    return path.join(dir, hit);
  }

  /** The token of a nested type: module and name; function types are named getXxx (bridge convention). */
  typeToken(mod, name) {
    // Function types are named getXxx and config types lowerName (bridge conventions), e.g. aws:config/assumeRoles:assumeRoles.
    const n = name.startsWith("Get") || mod === "config" ? name[0].toLowerCase() + name.slice(1) : name;
    return `${this.name}:${mod.replace(/\./g, "/")}/${n}:${n}`;
  }

  /** A schema for a TypeScript type node. `side` is "input" or "output" (which types/*.d.ts a reference means). */
  schemaOf(node, side) {
    if (!node) return {};
    if (ts.isParenthesizedTypeNode(node)) return this.schemaOf(node.type, side);
    if (ts.isTypeReferenceNode(node)) {
      const name = node.typeName.getText();
      if (name === "pulumi.Input" || name === "pulumi.Output" || name === "Promise") return this.schemaOf(node.typeArguments?.[0], side);
      if (name === "pulumi.asset.Archive") return { $ref: "pulumi.json#/Archive" };
      if (name === "pulumi.asset.Asset" || name === "pulumi.asset.AssetOrArchive") return { $ref: "pulumi.json#/Asset" };
      const m = /^(inputs|outputs)\.(.+)\.([A-Za-z0-9_]+)$/.exec(name) ?? /^(inputs|outputs)\.([A-Za-z0-9_]+)$/.exec(name);
      if (m) {
        const [mod, type] = m.length === 4 && m[3] ? [m[2], m[3]] : ["index", m[2]];
        const token = this.typeToken(mod, type);
        this.pending.push({ token, mod, type, side: m[1] === "inputs" ? "input" : "output" });
        return { $ref: `#/types/${token}` };
      }
      if (/^enums\./.test(name)) return { type: "string" };   // enum values: any string (enums are not rebuilt)
      return { type: "string" };   // PolicyDocument, resource classes (Bucket, Role): Pulumi takes their string form
    }
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword: return { type: "string" };
      // TypeScript has one number type: integer and number are not told apart here (see README.md).
      case ts.SyntaxKind.NumberKeyword: return { type: "number" };
      case ts.SyntaxKind.BooleanKeyword: return { type: "boolean" };
      case ts.SyntaxKind.AnyKeyword: case ts.SyntaxKind.UnknownKeyword: return { $ref: "pulumi.json#/Any" };
      case ts.SyntaxKind.LiteralType: return { type: "string" };
    }
    if (ts.isArrayTypeNode(node)) return { type: "array", items: this.schemaOf(node.elementType, side) };
    if (ts.isTypeLiteralNode(node)) {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      return index ? { type: "object", additionalProperties: this.schemaOf(index.type, side) } : { $ref: "pulumi.json#/Any" };
    }
    if (ts.isUnionTypeNode(node)) {
      const alts = node.types.filter(t => !(t.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword)));
      if (alts.length === 1) return this.schemaOf(alts[0], side);
      const names = alts.map(a => a.getText());
      if (names.includes("pulumi.asset.Asset") && names.includes("pulumi.asset.Archive")) return { $ref: "pulumi.json#/Asset" };
      const schemas = alts.map(a => this.schemaOf(a, side));
      const distinct = [...new Set(schemas.map(s => JSON.stringify(s)))];
      return distinct.length === 1 ? schemas[0] : { oneOf: distinct.map(s => JSON.parse(s)) };
    }
    return { $ref: "pulumi.json#/Any" };
  }

  /** Properties of an interface or class: name -> schema, and the names that are not optional. */
  propertiesOf(members, side, { outputsOnly = false } = {}) {
    const properties = {};
    const required = [];
    for (const m of members) {
      if (!(ts.isPropertySignature(m) || ts.isPropertyDeclaration(m)) || !m.type) continue;
      if (m.modifiers?.some(x => x.kind === ts.SyntaxKind.StaticKeyword)) continue;
      const name = m.name.getText();
      if (outputsOnly && !/^pulumi\.Output</.test(m.type.getText())) continue;
      const schema = this.schemaOf(m.type, side);
      const description = jsdoc(m);
      if (description) schema.description = description;
      const dep = deprecated(m);
      if (dep) schema.deprecationMessage = dep;
      properties[name] = schema;
      const optional = !!m.questionToken || /\|\s*undefined\b/.test(m.type.getText());
      if (!optional) required.push(name);
    }
    return { properties, required: required.sort() };
  }

  interfaceIn(file, name) {
    let found;
    source(file).forEachChild(n => { if (ts.isInterfaceDeclaration(n) && n.name.text === name) found = n; });
    return found;
  }

  classIn(file, name) {
    let found;
    source(file).forEachChild(n => { if (ts.isClassDeclaration(n) && n.name?.text === name) found = n; });
    return found;
  }

  resource(token) {
    const file = this.fileOf(token);
    const name = token.split(":")[2];
    const js = fs.readFileSync(file.replace(/\.d\.ts$/, ".js"), "utf8");
    if (!js.includes(`__pulumiType = '${token}'`)) fail(`${token}: ${path.relative(this.root, file)} declares another type`);
    const cls = this.classIn(file, name) ?? fail(`${token}: no class ${name}`);
    const outs = this.propertiesOf(cls.members, "output", { outputsOnly: true });
    const args = this.interfaceIn(file, `${name}Args`);
    const ins = args ? this.propertiesOf(args.members, "input") : { properties: {}, required: [] };
    const r = { properties: outs.properties, required: outs.required, inputProperties: ins.properties, requiredInputs: ins.required };
    const description = jsdoc(cls);
    if (description) r.description = description;
    return r;
  }

  func(token) {
    const file = this.fileOf(token);
    const js = fs.readFileSync(file.replace(/\.d\.ts$/, ".js"), "utf8");
    if (!js.includes(`invoke("${token}"`)) fail(`${token}: ${path.relative(this.root, file)} invokes another function`);
    const base = token.split(":")[2];
    const pascal = base[0].toUpperCase() + base.slice(1);
    const args = this.interfaceIn(file, `${pascal}Args`);
    const result = this.interfaceIn(file, `${pascal}Result`) ?? fail(`${token}: no ${pascal}Result`);
    const ins = args ? this.propertiesOf(args.members, "input") : { properties: {}, required: [] };
    const outs = this.propertiesOf(result.members, "output");
    return {
      inputs: { properties: ins.properties, type: "object", ...(ins.required.length ? { required: ins.required } : {}) },
      outputs: { properties: outs.properties, type: "object", ...(outs.required.length ? { required: outs.required } : {}) },
    };
  }

  provider() {
    const file = path.join(this.root, "provider.d.ts");
    const args = this.interfaceIn(file, "ProviderArgs");
    const ins = this.propertiesOf(args.members, "input");
    const cls = this.classIn(file, "Provider");
    const outs = this.propertiesOf(cls.members, "output", { outputsOnly: true });
    return { inputProperties: ins.properties, properties: outs.properties, ...(ins.required.length ? { requiredInputs: ins.required } : {}) };
  }

  /** config/vars.d.ts: `export declare const profile: string | undefined;` for each provider config key. */
  config() {
    const variables = {};
    const sf = source(path.join(this.root, "config", "vars.d.ts"));
    sf.forEachChild(n => {
      if (!ts.isVariableStatement(n)) return;
      for (const d of n.declarationList.declarations) {
        const schema = this.schemaOf(d.type, "output");
        const description = jsdoc(n);
        if (description) schema.description = description;
        variables[d.name.getText()] = schema;
      }
    });
    return { variables };
  }

  /** Nested types reached from what was generated, transitively; input side first, output side where it has no input. */
  resolveTypes() {
    while (this.pending.length > 0) {
      const { token, mod, type } = this.pending.shift();
      if (this.types[token]) continue;
      // The input side decides what is required (what a program must set); outputs-only types use theirs.
      const input = this.inputs.get(`${mod}:${type}`);
      const node = input ?? this.outputs.get(`${mod}:${type}`)
        ?? fail(`type ${mod}.${type} is in neither types/input.d.ts nor types/output.d.ts`);
      this.types[token] = { type: "object" };   // placeholder against cycles
      const { properties, required } = this.propertiesOf(node.members, input ? "input" : "output");
      this.types[token] = { properties, type: "object", ...(required.length ? { required } : {}) };
    }
  }
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.keys(value).sort().map(k => [k, sortKeys(value[k])]));
  return value;
}

function fail(message) {
  console.error(`generate: ${message}`);
  process.exit(1);
}

for (const [name, spec] of Object.entries(manifest.mimicinfra.packages)) {
  const pkg = new Package(name, spec);
  const mine = tokens.filter(t => t.startsWith(`${name}:`));
  const resources = {};
  const functions = {};
  for (const t of mine) {
    if (/:get[A-Z][A-Za-z0-9]*$/.test(t)) functions[t] = pkg.func(t);
    else resources[t] = pkg.resource(t);
  }
  const provider = pkg.provider();
  const config = pkg.config();
  pkg.resolveTypes();
  const schema = sortKeys({
    name,
    version: pkg.version,
    description: `Generated by infra/provider-schemas/generator from npm ${spec}: the subset MimicInfra uses. Do not edit; run the generator.`,
    config,
    provider,
    resources,
    functions,
    types: pkg.types,
  });
  const file = path.join(outDir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(schema, null, 1) + "\n");
  console.log(`${path.relative(process.cwd(), file)}: ${name} ${pkg.version}, ${Object.keys(resources).length} resources, ${Object.keys(functions).length} functions, ${Object.keys(pkg.types).length} types, ${Object.keys(config.variables).length} config keys`);
}
