// An asc transform (asconfig.json, "transform"): gives every class of the program that does
// not write its own `serialize`/`deserialize` generated ones, so that plain classes, with
// strings, arrays and other classes among their fields, can be sent in messages
// (lunatic/codec.ts). The methods are generic in the writer and reader and compiled only for
// the classes a program sends: they cost nothing elsewhere.
//
//   __lunatic_serialize<W>(w: W): void      each field in declaration order: w.write(this.f)
//   __lunatic_deserialize<R>(r: R): void    each field read back into the object, which the
//                                           codec allocated without running its constructor
//
// Fields are those declared in the class body and the constructor's parameter properties;
// static fields are not part of an object. A subclass writes its base class's fields first.
import fs from "node:fs";
import path from "node:path";
import url from "node:url";

// The compiler this transform runs in: the copy whose asc is running (so the parser and the
// nodes made here are of one version), found from asc's own path.
const ascPath = fs.realpathSync(process.argv[1]);
const compilerRoot = path.resolve(path.dirname(ascPath), "..");
const as = await import(url.pathToFileURL(path.join(compilerRoot, "dist", "assemblyscript.js")).href);
const { CommonFlags, NodeKind, Source, SourceKind, Tokenizer } = as;

const SERIALIZE = "__lunatic_serialize";
const DESERIALIZE = "__lunatic_deserialize";

/** The class's name as its own code writes its type: with its type parameters. */
function selfType(declaration) {
  const params = declaration.typeParameters || [];
  const name = declaration.name.text;
  return params.length ? `${name}<${params.map((p) => p.name.text).join(", ")}>` : name;
}

/** The names of the object's own fields, in declaration order. */
function fieldNames(declaration) {
  const names = [];
  for (const member of declaration.members) {
    if (member.kind === NodeKind.FieldDeclaration && !(member.flags & CommonFlags.Static)) {
      names.push(member.name.text);
    } else if (member.kind === NodeKind.MethodDeclaration && member.name.text === "constructor") {
      for (const param of member.signature.parameters) {
        if (param.implicitFieldDeclaration) names.push(param.name.text);
      }
    }
  }
  return names;
}

function hasMember(declaration, name) {
  return declaration.members.some((m) => m.name && m.name.text === name);
}

function generatedMembers(declaration) {
  const self = selfType(declaration);
  const fields = fieldNames(declaration);
  const base = declaration.extendsType ? 1 : 0;
  const write = fields.map((f) => `w.write(this.${f});`);
  // The object is stored into field by field (as the constructor would), so that readonly
  // and private fields are filled like any other.
  const read = fields.map((f) => `r.readField(this, offsetof<${self}>("${f}"), this.${f});`);
  return [
    `${SERIALIZE}<W>(w: W): void { ${base ? `super.${SERIALIZE}<W>(w); ` : ""}${write.join(" ")} }`,
    `${DESERIALIZE}<R>(r: R): void { ${base ? `super.${DESERIALIZE}<R>(r); ` : ""}${read.join(" ")} }`,
  ];
}

function visit(parser, statements) {
  for (const statement of statements) {
    if (statement.kind === NodeKind.NamespaceDeclaration) {
      visit(parser, statement.members);
    } else if (statement.kind === NodeKind.ClassDeclaration) {
      if (statement.flags & CommonFlags.Ambient) continue;
      if (hasMember(statement, "serialize") || hasMember(statement, SERIALIZE)) continue;
      for (const text of generatedMembers(statement)) {
        const source = new Source(SourceKind.User, statement.range.source.normalizedPath, text);
        const member = parser.parseClassMember(new Tokenizer(source), statement);
        if (member) statement.members.push(member);
      }
    }
  }
}

export default class LunaticMessages {
  afterParse(parser) {
    for (const source of parser.sources) {
      // The standard library and packages (lunatic-as among them) are left alone: their
      // classes are not what programs send, or say how they are sent.
      if (source.internalPath.startsWith("~lib/")) continue;
      visit(parser, source.statements);
    }
  }
}
