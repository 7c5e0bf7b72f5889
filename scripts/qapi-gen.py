#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn qapi/schema.json into the QMP unmarshalling code, the
introspection data and the command list of docs/qmp.md.

Usage: qapi-gen.py SCHEMA OUT.h OUT.c
       qapi-gen.py --doc SCHEMA          (markdown to stdout)
       qapi-gen.py --check-doc SCHEMA DOC.md

The schema format is described at the top of qapi/schema.json.  For
each command with "gen" (the default) the header declares the handler

    JsonNode *qmp_cmd_NAME(ARGS..., Error **errp);

that a hand-written file defines: str is const char * (NULL when an
optional member is absent), int int64_t, bool bool, number double, an
enum its Qapi* C enum (optional scalars have a bool has_NAME first),
any JsonNode *, an array JsonArray *, a struct or union JsonObject *;
commands with "extra-members" get the whole arguments object first.
Every argument has been checked against the schema before the handler
runs, so handlers do no checking of their own.
"""
import json
import re
import sys

BUILTINS = {'str': 'string', 'int': 'int', 'bool': 'boolean',
            'number': 'number', 'null': 'null', 'any': 'value'}
META_KEYS = {
    'enum': {'enum', 'data', 'qemu'},
    'struct': {'struct', 'data', 'qemu'},
    'union': {'union', 'base', 'discriminator', 'data', 'qemu'},
    'command': {'command', 'data', 'returns', 'allow-oob', 'extra-members',
                'gen', 'qemu'},
    'event': {'event', 'data', 'qemu'},
}


class SchemaError(Exception):
    pass


def parse(path):
    """The schema's definitions, each with its line number."""
    with open(path, encoding='utf-8') as f:
        lines = f.readlines()
    # Comments become blank lines so that offsets keep their line.
    text = ''.join('\n' if ln.lstrip().startswith('#') else ln
                   for ln in lines)
    dec = json.JSONDecoder()
    pos, defs = 0, []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        lineno = text.count('\n', 0, pos) + 1
        try:
            obj, pos = dec.raw_decode(text, pos)
        except ValueError as e:
            raise SchemaError('%s:%d: %s' % (path, lineno, e))
        if not isinstance(obj, dict):
            raise SchemaError('%s:%d: a definition is a JSON object'
                              % (path, lineno))
        meta = [k for k in META_KEYS if k in obj]
        if len(meta) != 1:
            raise SchemaError('%s:%d: a definition names exactly one of %s'
                              % (path, lineno, ', '.join(sorted(META_KEYS))))
        extra = set(obj) - META_KEYS[meta[0]]
        if extra:
            raise SchemaError('%s:%d: unknown key %s in %s'
                              % (path, lineno, sorted(extra)[0], meta[0]))
        obj['_meta'], obj['_name'], obj['_line'] = meta[0], obj[meta[0]], \
            lineno
        defs.append(obj)
    return defs


def c_name(name):
    return re.sub(r'[^A-Za-z0-9_]', '_', name)


def c_upper(name):
    """QapiRunState -> QAPI_RUN_STATE, host-qmp-quit -> HOST_QMP_QUIT."""
    s = re.sub(r'([a-z0-9])([A-Z])', r'\1_\2', name)
    s = re.sub(r'([A-Z]+)([A-Z][a-z])', r'\1_\2', s)
    return c_name(s).upper()


class Schema:
    def __init__(self, path):
        self.path = path
        self.defs = parse(path)
        self.types = {}
        self.commands = []
        self.events = []
        for d in self.defs:
            where = '%s:%d' % (path, d['_line'])
            if d['_meta'] in ('enum', 'struct', 'union'):
                if d['_name'] in self.types or d['_name'] in BUILTINS:
                    raise SchemaError('%s: type %s defined twice'
                                      % (where, d['_name']))
                self.types[d['_name']] = d
            elif d['_meta'] == 'command':
                self.commands.append(d)
            else:
                self.events.append(d)
        seen = set()
        for d in self.commands + self.events:
            if d['_name'] in seen:
                raise SchemaError('%s:%d: %s defined twice'
                                  % (path, d['_line'], d['_name']))
            seen.add(d['_name'])
        for d in self.defs:
            self.check_def(d)

    def check_type(self, t, where):
        if isinstance(t, list):
            if len(t) != 1:
                raise SchemaError('%s: an array type is [TYPE]' % where)
            return self.check_type(t[0], where)
        if not isinstance(t, str) or \
                (t not in BUILTINS and t not in self.types):
            raise SchemaError('%s: unknown type %r' % (where, t))

    def members(self, data, where):
        if data is None:
            return []
        if not isinstance(data, dict):
            raise SchemaError('%s: data must be an object' % where)
        out = []
        for key, t in data.items():
            self.check_type(t, '%s: member %s' % (where, key))
            opt = key.startswith('*')
            out.append((key[1:] if opt else key, t, opt))
        return out

    def check_def(self, d):
        where = '%s:%d' % (self.path, d['_line'])
        m = d['_meta']
        if m == 'enum':
            if not isinstance(d.get('data'), list) or \
                    not all(isinstance(v, str) for v in d['data']):
                raise SchemaError('%s: enum data is a list of strings' % where)
            d['_members'] = []
            return
        if m == 'union':
            d['_base'] = self.members(d.get('base'), where)
            tag = [x for x in d['_base'] if x[0] == d.get('discriminator')]
            if not tag or tag[0][2] or \
                    self.types.get(tag[0][1], {}).get('_meta') != 'enum':
                raise SchemaError('%s: discriminator must be a required '
                                  'enum member of base' % where)
            d['_tag_enum'] = tag[0][1]
            for case, t in d['data'].items():
                if case not in self.types[tag[0][1]]['data']:
                    raise SchemaError('%s: %s is no value of %s'
                                      % (where, case, tag[0][1]))
                if self.types.get(t, {}).get('_meta') != 'struct':
                    raise SchemaError('%s: branch %s must be a struct'
                                      % (where, case))
            d['_members'] = d['_base']
            return
        d['_members'] = self.members(d.get('data'), where)
        if m == 'command' and 'returns' in d:
            self.check_type(d['returns'], where + ': returns')

    def kind(self, t):
        if isinstance(t, list):
            return 'array'
        if t in BUILTINS:
            return t
        return self.types[t]['_meta']


# ---- C code ----

def check_fn(schema, t):
    """The name of the generated checker for type @t."""
    if isinstance(t, list):
        return 'qmp_check_list_%s' % c_name(list_key(t[0]))
    if t in BUILTINS:
        return 'qmp_check_%s' % t
    return 'qmp_check_%s' % c_name(t)


def list_key(t):
    return ('list_' + list_key(t[0])) if isinstance(t, list) else t


def all_arrays(schema):
    """Every array type used, element first."""
    found = []

    def walk(t):
        if isinstance(t, list):
            walk(t[0])
            if t not in found:
                found.append(t)

    for d in schema.defs:
        for _, t, _ in d.get('_members', []):
            walk(t)
        if d['_meta'] == 'command' and 'returns' in d:
            walk(d['returns'])
    return found


def members_table(name, members, schema):
    out = ['static const QmpMember %s[] = {' % name]
    for m, t, opt in members:
        out.append('    { "%s", %s, %s },' % (m, check_fn(schema, t),
                                              'true' if opt else 'false'))
    out.append('    { NULL }')
    out.append('};')
    return out


def enum_c(d):
    cname = 'Qapi' + d['_name']
    up = c_upper(cname)
    h = ['typedef enum %s {' % cname]
    for v in d['data']:
        h.append('    %s_%s,' % (up, c_name(v).upper()))
    h += ['    %s__MAX,' % up, '} %s;' % cname,
          'extern const char *const %s_lookup[];' % c_name(up.lower()), '']
    return h


def param_c(schema, m, t, opt):
    k = schema.kind(t)
    n = c_name(m)
    ctype = {'str': 'const char *', 'int': 'int64_t ', 'bool': 'bool ',
             'number': 'double ', 'any': 'JsonNode *', 'array': 'JsonArray *',
             'struct': 'JsonObject *', 'union': 'JsonObject *'}.get(k)
    if k == 'enum':
        ctype = 'Qapi%s ' % t
    params = []
    if opt and k in ('int', 'bool', 'number', 'enum'):
        params.append('bool has_' + n)
    params.append(ctype + n)
    return params


def unpack_c(schema, m, t, opt):
    k = schema.kind(t)
    if k == 'enum':
        val = '(Qapi%s)qmp_arg_enum(args, "%s", %s_lookup)' % (
            t, m, c_name(c_upper('Qapi' + t).lower()))
    else:
        fn = {'str': 'str', 'int': 'int', 'bool': 'bool', 'number': 'number',
              'any': 'node', 'array': 'array', 'struct': 'object',
              'union': 'object'}[k]
        val = 'qmp_arg_%s(args, "%s")' % (fn, m)
    out = []
    if opt and k in ('int', 'bool', 'number', 'enum'):
        out.append('json_object_has_member(args, "%s")' % m)
    out.append(val)
    return out


def handler_proto(schema, d):
    params = []
    if d.get('extra-members'):
        params.append('JsonObject *args')
    for m, t, opt in d['_members']:
        params += param_c(schema, m, t, opt)
    params.append('Error **errp')
    return 'JsonNode *qmp_cmd_%s(%s)' % (c_name(d['_name']), ', '.join(params))


def gen_c(schema, out_h, out_c):
    h = ['/* Generated by scripts/qapi-gen.py from qapi/schema.json: '
         'do not edit. */',
         '#ifndef QMP_SCHEMA_GEN_H', '#define QMP_SCHEMA_GEN_H', '',
         '#include "system/qmp-visit.h"', '']
    c = ['/* Generated by scripts/qapi-gen.py from qapi/schema.json: '
         'do not edit. */',
         '#include "qemu/osdep.h"', '#include "qmp-schema-gen.h"', '']
    for d in schema.defs:
        if d['_meta'] == 'enum':
            h += enum_c(d)
            up = c_name(c_upper('Qapi' + d['_name']).lower())
            c.append('const char *const %s_lookup[] = {' % up)
            c += ['    "%s",' % v for v in d['data']]
            c += ['    NULL', '};', '']
    # Checkers: prototypes first (types refer to each other).
    arrays = all_arrays(schema)
    for d in schema.defs:
        if d['_meta'] in ('enum', 'struct', 'union'):
            c.append('static QmpCheckFunc %s;' % check_fn(schema, d['_name']))
    for t in arrays:
        c.append('static QmpCheckFunc %s;' % check_fn(schema, t))
    c.append('')
    for d in schema.defs:
        fn = check_fn(schema, d['_name'])
        sig = ('static bool G_GNUC_UNUSED %s(JsonNode *n, '
               'const char *path, '
               'const char *name, Error **errp)' % fn)
        if d['_meta'] == 'enum':
            up = c_name(c_upper('Qapi' + d['_name']).lower())
            c += [sig, '{',
                  '    return qmp_check_enum(n, path, name, %s_lookup, errp);'
                  % up, '}', '']
        elif d['_meta'] == 'struct':
            tbl = 'qmp_members_%s' % c_name(d['_name'])
            c += members_table(tbl, d['_members'], schema)
            c += ['', sig, '{',
                  '    return qmp_check_struct(n, path, %s, NULL, false, '
                  'errp);' % tbl, '}', '']
        elif d['_meta'] == 'union':
            tbl = 'qmp_members_%s' % c_name(d['_name'])
            c += members_table(tbl, d['_base'], schema)
            c += ['', sig, '{', '    const char *tag;', '',
                  '    if (!qmp_check_members(n, path, %s, errp)) {' % tbl,
                  '        return false;', '    }',
                  '    tag = json_object_get_string_member('
                  'json_node_get_object(n), "%s");' % d['discriminator']]
            for case, t in d['data'].items():
                c += ['    if (!strcmp(tag, "%s")) {' % case,
                      '        return qmp_check_struct(n, path, %s, '
                      'qmp_members_%s, false, errp);' % (tbl, c_name(t)),
                      '    }']
            c += ['    return qmp_check_struct(n, path, %s, NULL, false, '
                  'errp);' % tbl, '}', '']
    for t in arrays:
        c += ['static bool %s(JsonNode *n, const char *path, '
              'const char *name, Error **errp)' % check_fn(schema, t), '{',
              '    return qmp_check_list(n, path, %s, errp);'
              % check_fn(schema, t[0]), '}', '']
    # Commands.
    h.append('/* The handlers of the commands with "gen" (hand-written). */')
    for d in schema.commands:
        cn = c_name(d['_name'])
        if d.get('gen', True):
            h.append(handler_proto(schema, d) + ';')
        c += members_table('qmp_args_%s' % cn, d['_members'], schema)
        c.append('')
        if d.get('gen', True):
            c += ['static JsonNode *qmp_marshal_%s(JsonObject *args, '
                  'Error **errp)' % cn, '{']
            vals = ['args'] if d.get('extra-members') else []
            for m, t, opt in d['_members']:
                vals += unpack_c(schema, m, t, opt)
            vals.append('errp')
            c.append('    return qmp_cmd_%s(%s);' % (cn, ', '.join(vals)))
            c += ['}', '']
    for d in schema.events:
        c += members_table('qmp_event_%s' % c_name(d['_name']),
                           d['_members'], schema)
        c.append('')
    c.append('const QmpSchemaCommand qmp_schema_commands[] = {')
    for d in schema.commands:
        cn = c_name(d['_name'])
        c += ['    {', '        .name = "%s",' % d['_name'],
              '        .args = qmp_args_%s,' % cn]
        if d.get('gen', True):
            c.append('        .marshal = qmp_marshal_%s,' % cn)
        if 'returns' in d:
            c.append('        .check_ret = %s,' % check_fn(schema,
                                                        d['returns']))
        if d.get('allow-oob'):
            c.append('        .allow_oob = true,')
        if d.get('extra-members'):
            c.append('        .extra_members = true,')
        c.append('    },')
    c += ['    { NULL }', '};', '']
    c.append('const QmpSchemaEvent qmp_schema_events[] = {')
    for d in schema.events:
        c.append('    { "%s", qmp_event_%s },' % (d['_name'],
                                                  c_name(d['_name'])))
    c += ['    { NULL }', '};', '']
    intro = json.dumps(introspect(schema), separators=(',', ':'))
    c.append('const char qmp_schema_introspection[] =')
    for i in range(0, len(intro), 64):
        c.append('    %s' % json.dumps(intro[i:i + 64]))
    c[-1] += ';'
    h += ['', '#endif']
    with open(out_h, 'w', encoding='utf-8') as f:
        f.write('\n'.join(h) + '\n')
    with open(out_c, 'w', encoding='utf-8') as f:
        f.write('\n'.join(c) + '\n')


# ---- Introspection (query-qmp-schema) ----

def introspect(schema, mask=True):
    """SchemaInfo list as QEMU's: type names other than the builtins
    are masked as numbers in order of first use (QEMU hides them so
    that clients cannot depend on them); command and event names stay."""
    out = []
    names = {}
    pending = []

    def tname(t):
        if isinstance(t, list):
            key = '[' + tname(t[0]) + ']'
            if key not in names:
                names[key] = key
                out.append({'name': key, 'meta-type': 'array',
                            'element-type': tname(t[0])})
            return key
        if t in names:
            return names[t]
        names[t] = str(len(names)) if mask else t
        if t in BUILTINS:
            names[t] = t
        pending.append(t)
        return names[t]

    def obj_name(key, members):
        """An implicit object type (command arguments, event data)."""
        if not members:
            return tname('q_empty')
        names[key] = str(len(names)) if mask else key
        pending.append((key, members))
        return names[key]

    empty = tname('q_empty')
    for d in schema.commands:
        info = {'name': d['_name'], 'meta-type': 'command',
                'arg-type': obj_name('q_obj_%s-arg' % d['_name'],
                                     d['_members']),
                'ret-type': tname(d['returns']) if 'returns' in d else empty}
        if d.get('allow-oob'):
            info['allow-oob'] = True
        out.append(info)
    for d in schema.events:
        out.append({'name': d['_name'], 'meta-type': 'event',
                    'arg-type': obj_name('q_obj_%s-arg' % d['_name'],
                                         d['_members'])})

    def members_info(members):
        res = []
        for m, t, opt in members:
            mi = {'name': m, 'type': tname(t)}
            if opt:
                mi['default'] = None
            res.append(mi)
        return res

    while pending:
        t = pending.pop(0)
        if isinstance(t, tuple):
            out.append({'name': names[t[0]], 'meta-type': 'object',
                        'members': members_info(t[1])})
        elif t == 'q_empty':
            out.append({'name': names[t], 'meta-type': 'object',
                        'members': []})
        elif t in BUILTINS:
            out.append({'name': t, 'meta-type': 'builtin',
                        'json-type': BUILTINS[t]})
        else:
            d = schema.types[t]
            if d['_meta'] == 'enum':
                out.append({'name': names[t], 'meta-type': 'enum',
                            'values': d['data']})
            elif d['_meta'] == 'struct':
                out.append({'name': names[t], 'meta-type': 'object',
                            'members': members_info(d['_members'])})
            else:
                info = {'name': names[t], 'meta-type': 'object',
                        'members': members_info(d['_base']),
                        'tag': d['discriminator']}
                info['variants'] = [{'case': case, 'type': tname(bt)}
                                    for case, bt in d['data'].items()]
                out.append(info)
    return out


# ---- docs/qmp.md ----

def type_doc(t):
    if isinstance(t, list):
        return '[' + type_doc(t[0]) + ']'
    return t


def gen_doc(schema):
    lines = ['| command | arguments | returns | QEMU 7.2 equivalence |',
             '|---|---|---|---|']
    for d in schema.commands:
        args = ', '.join('`%s`%s %s' % (m, '?' if opt else '', type_doc(t))
                         for m, t, opt in d['_members'])
        if d.get('extra-members'):
            args += ', properties'
        ret = '`%s`' % type_doc(d['returns']) if 'returns' in d else '`{}`'
        flags = ' (out of band)' if d.get('allow-oob') else ''
        lines.append('| `%s`%s | %s | %s | %s |' % (
            d['_name'], flags, args, ret, d.get('qemu', '')))
    lines += ['', '| event | data | QEMU 7.2 equivalence |', '|---|---|---|']
    for d in schema.events:
        data = ', '.join('`%s`%s %s' % (m, '?' if opt else '', type_doc(t))
                         for m, t, opt in d['_members'])
        lines.append('| `%s` | %s | %s |' % (d['_name'], data,
                                            d.get('qemu', '')))
    return '\n'.join(lines) + '\n'


BEGIN = '<!-- generated by scripts/qapi-gen.py --doc: begin -->\n'
END = '<!-- generated by scripts/qapi-gen.py --doc: end -->\n'


def check_doc(schema, doc_path):
    with open(doc_path, encoding='utf-8') as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        print('%s: no generated command list (markers missing)' % doc_path)
        return 1
    have = text.split(BEGIN, 1)[1].split(END, 1)[0]
    want = gen_doc(schema)
    if have != want:
        print('%s: the command list differs from qapi/schema.json; '
              'regenerate it with scripts/qapi-gen.py --doc' % doc_path)
        return 1
    print('%s: command list matches the schema' % doc_path)
    return 0


def main(argv):
    try:
        if argv[1] == '--doc':
            sys.stdout.write(gen_doc(Schema(argv[2])))
            return 0
        if argv[1] == '--check-doc':
            return check_doc(Schema(argv[2]), argv[3])
        gen_c(Schema(argv[1]), argv[2], argv[3])
    except SchemaError as e:
        sys.stderr.write('qapi-gen: %s\n' % e)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
