//! A small GraphQL executor over apollo-compiler's AST: selection sets, aliases, arguments and variables
//! (with defaults and a basic scalar check), inline fragments and fragment spreads with type conditions,
//! `@include`/`@skip`, `__typename`. It knows nothing about GitHub: a [`Resolver`] supplies the objects.
//!
//! Deliberately not implemented: introspection, non-null propagation (a failed field is `null` plus an error,
//! which is also what GitHub does for the nullable fields the bot reads), subscriptions.

use std::borrow::Cow;
use std::collections::HashMap;

use apollo_compiler::ast;
use serde_json::{json, Map, Value};

/// What a field resolves to.
pub enum Out<O> {
    Null,
    /// A scalar or enum (or any JSON the resolver wants returned as it is).
    Value(Value),
    Object(O),
    List(Vec<Out<O>>),
}

impl<O> Out<O> {
    pub fn value(v: impl Into<Value>) -> Self {
        Out::Value(v.into())
    }

    pub fn opt_object(o: Option<O>) -> Self {
        o.map_or(Out::Null, Out::Object)
    }
}

/// A field error: becomes `{"message", "type", "path"}` in the answer, and the field becomes `null`.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub message: String,
    /// GitHub's error `type` (`NOT_FOUND`, `FORBIDDEN`, ...), if any.
    pub kind: Option<&'static str>,
}

impl FieldError {
    pub fn new(message: impl Into<String>) -> Self {
        FieldError {
            message: message.into(),
            kind: None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        FieldError {
            message: message.into(),
            kind: Some("NOT_FOUND"),
        }
    }
}

/// Supplies the objects of a schema.
pub trait Resolver {
    type Object;
    fn typename<'o>(&self, object: &'o Self::Object) -> Cow<'o, str>;
    /// Whether an object of type `typename` matches the type condition `condition` (the type itself, or an
    /// interface or union it belongs to).
    fn satisfies(&self, typename: &str, condition: &str) -> bool;
    fn resolve(
        &mut self,
        object: &Self::Object,
        field: &str,
        args: &Map<String, Value>,
    ) -> Result<Out<Self::Object>, FieldError>;
}

/// The operation a request asks for (by name, or the only one).
pub fn operation<'d>(
    document: &'d ast::Document,
    name: Option<&str>,
) -> Result<&'d ast::OperationDefinition, String> {
    let mut operations = document
        .definitions
        .iter()
        .filter_map(|d| d.as_operation_definition());
    match name {
        Some(name) => operations
            .find(|op| op.name.as_ref().is_some_and(|n| n.as_str() == name))
            .map(|op| &**op)
            .ok_or_else(|| format!("Unknown operation named \"{name}\".")),
        None => {
            let first = operations
                .next()
                .ok_or("No operations in query document.")?;
            if operations.next().is_some() {
                return Err("An operation name is required".into());
            }
            Ok(first)
        }
    }
}

/// Executes `operation` from `root` and returns the response body (`data` and, if any, `errors`).
pub fn execute<'d, R: Resolver>(
    resolver: &mut R,
    root: R::Object,
    document: &'d ast::Document,
    operation: &'d ast::OperationDefinition,
    variables: &Map<String, Value>,
) -> Value {
    let variables = match coerce_variables(operation, variables) {
        Ok(v) => v,
        Err(message) => return json!({ "errors": [{ "message": message }] }),
    };
    let fragments = document
        .definitions
        .iter()
        .filter_map(|d| d.as_fragment_definition())
        .map(|f| (f.name.as_str().to_string(), &**f))
        .collect();
    let mut exec = Exec {
        resolver,
        fragments,
        variables,
        errors: Vec::new(),
    };
    let mut path = Vec::new();
    let data = exec.selection_set(&root, &operation.selection_set, &mut path);
    let mut body = json!({ "data": data });
    if !exec.errors.is_empty() {
        body["errors"] = Value::Array(exec.errors);
    }
    body
}

/// Where a field error happened; turned into JSON only when there is one.
enum Step<'d> {
    Key(&'d str),
    Index(usize),
}

struct Exec<'a, R: Resolver> {
    resolver: &'a mut R,
    fragments: HashMap<String, &'a ast::FragmentDefinition>,
    variables: Map<String, Value>,
    errors: Vec<Value>,
}

impl<'a, R: Resolver> Exec<'a, R> {
    fn selection_set(
        &mut self,
        object: &R::Object,
        selections: &'a [ast::Selection],
        path: &mut Vec<Step<'a>>,
    ) -> Value {
        let typename = self.resolver.typename(object);
        let mut out = Map::new();
        self.collect(object, &typename, selections, path, &mut out);
        Value::Object(out)
    }

    fn collect(
        &mut self,
        object: &R::Object,
        typename: &str,
        selections: &'a [ast::Selection],
        path: &mut Vec<Step<'a>>,
        out: &mut Map<String, Value>,
    ) {
        for selection in selections {
            match selection {
                ast::Selection::Field(field) => {
                    if !self.included(&field.directives) {
                        continue;
                    }
                    let key = field.alias.as_ref().unwrap_or(&field.name).as_str();
                    let value = if field.name.as_str() == "__typename" {
                        json!(typename)
                    } else {
                        path.push(Step::Key(key));
                        let args = self.arguments(&field.arguments);
                        let value = match self.resolver.resolve(object, field.name.as_str(), &args)
                        {
                            Ok(resolved) => self.complete(resolved, &field.selection_set, path),
                            Err(err) => {
                                self.error(err, path);
                                Value::Null
                            }
                        };
                        path.pop();
                        value
                    };
                    merge(out, key.to_string(), value);
                }
                ast::Selection::InlineFragment(fragment) => {
                    let applies = fragment
                        .type_condition
                        .as_ref()
                        .is_none_or(|c| self.resolver.satisfies(typename, c.as_str()));
                    if applies && self.included(&fragment.directives) {
                        self.collect(object, typename, &fragment.selection_set, path, out);
                    }
                }
                ast::Selection::FragmentSpread(spread) => {
                    let Some(fragment) = self.fragments.get(spread.fragment_name.as_str()).copied()
                    else {
                        self.error(
                            FieldError::new(format!(
                                "Fragment {} was used, but not defined",
                                spread.fragment_name
                            )),
                            path,
                        );
                        continue;
                    };
                    if self
                        .resolver
                        .satisfies(typename, fragment.type_condition.as_str())
                        && self.included(&spread.directives)
                    {
                        self.collect(object, typename, &fragment.selection_set, path, out);
                    }
                }
            }
        }
    }

    fn complete(
        &mut self,
        resolved: Out<R::Object>,
        selections: &'a [ast::Selection],
        path: &mut Vec<Step<'a>>,
    ) -> Value {
        match resolved {
            Out::Null => Value::Null,
            Out::Value(v) => v,
            Out::Object(o) => self.selection_set(&o, selections, path),
            Out::List(items) => Value::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| {
                        path.push(Step::Index(i));
                        let v = self.complete(item, selections, path);
                        path.pop();
                        v
                    })
                    .collect(),
            ),
        }
    }

    fn error(&mut self, err: FieldError, path: &[Step<'_>]) {
        let path: Vec<Value> = path
            .iter()
            .map(|step| match step {
                Step::Key(key) => json!(key),
                Step::Index(i) => json!(i),
            })
            .collect();
        let mut e = json!({ "message": err.message, "path": path });
        if let Some(kind) = err.kind {
            e["type"] = json!(kind);
        }
        self.errors.push(e);
    }

    fn included(&self, directives: &ast::DirectiveList) -> bool {
        let flag = |name: &str| {
            directives.get(name).and_then(|d| {
                d.arguments
                    .iter()
                    .find(|a| a.name.as_str() == "if")
                    .map(|a| self.value(&a.value).as_bool().unwrap_or(false))
            })
        };
        flag("skip") != Some(true) && flag("include") != Some(false)
    }

    fn arguments(&self, arguments: &[apollo_compiler::Node<ast::Argument>]) -> Map<String, Value> {
        arguments
            .iter()
            .map(|a| (a.name.as_str().to_string(), self.value(&a.value)))
            .collect()
    }

    /// A literal or variable as JSON (enums become strings).
    fn value(&self, value: &ast::Value) -> Value {
        match value {
            ast::Value::Null => Value::Null,
            ast::Value::Enum(name) => json!(name.as_str()),
            ast::Value::Variable(name) => self
                .variables
                .get(name.as_str())
                .cloned()
                .unwrap_or(Value::Null),
            ast::Value::String(s) => json!(s),
            ast::Value::Float(f) => f.try_to_f64().map_or(Value::Null, |f| json!(f)),
            ast::Value::Int(i) => i.as_str().parse::<i64>().map_or(Value::Null, |i| json!(i)),
            ast::Value::Boolean(b) => json!(b),
            ast::Value::List(items) => Value::Array(items.iter().map(|v| self.value(v)).collect()),
            ast::Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(name, v)| (name.as_str().to_string(), self.value(v)))
                    .collect(),
            ),
        }
    }
}

/// Applies defaults and checks required variables and built-in scalar types, as GitHub does before executing.
fn coerce_variables(
    operation: &ast::OperationDefinition,
    given: &Map<String, Value>,
) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for definition in &operation.variables {
        let name = definition.name.as_str();
        let ty = &definition.ty;
        let value = match given.get(name) {
            Some(v) => v.clone(),
            None => match &definition.default_value {
                Some(default) => literal(default),
                None => Value::Null,
            },
        };
        if value.is_null() {
            if ty.is_non_null() {
                return Err(format!(
                    "Variable ${name} of type {ty} was provided invalid value"
                ));
            }
        } else if !ty.is_list() {
            let ok = match ty.inner_named_type().as_str() {
                "String" | "ID" | "URI" | "DateTime" | "Date" | "GitObjectID" => value.is_string(),
                "Int" => value.is_i64() || value.is_u64(),
                "Float" => value.is_number(),
                "Boolean" => value.is_boolean(),
                _ => true,
            };
            if !ok {
                return Err(format!(
                    "Variable ${name} of type {ty} was provided invalid value"
                ));
            }
        }
        out.insert(name.to_string(), value);
    }
    Ok(out)
}

fn literal(value: &ast::Value) -> Value {
    match value {
        ast::Value::Null | ast::Value::Variable(_) => Value::Null,
        ast::Value::Enum(name) => json!(name.as_str()),
        ast::Value::String(s) => json!(s),
        ast::Value::Float(f) => f.try_to_f64().map_or(Value::Null, |f| json!(f)),
        ast::Value::Int(i) => i.as_str().parse::<i64>().map_or(Value::Null, |i| json!(i)),
        ast::Value::Boolean(b) => json!(b),
        ast::Value::List(items) => Value::Array(items.iter().map(|v| literal(v)).collect()),
        ast::Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(n, v)| (n.as_str().to_string(), literal(v)))
                .collect(),
        ),
    }
}

/// Puts `value` under `key`, merging objects selected more than once (`id` in two fragments, say).
fn merge(out: &mut Map<String, Value>, key: String, value: Value) {
    match (out.get_mut(&key), value) {
        (Some(Value::Object(existing)), Value::Object(new)) => {
            for (k, v) in new {
                merge(existing, k, v);
            }
        }
        (Some(Value::Array(existing)), Value::Array(new)) if existing.len() == new.len() => {
            for (old, new) in existing.iter_mut().zip(new) {
                match (old, new) {
                    (Value::Object(o), Value::Object(n)) => {
                        for (k, v) in n {
                            merge(o, k, v);
                        }
                    }
                    (old, new) => *old = new,
                }
            }
        }
        (_, value) => {
            out.insert(key, value);
        }
    }
}
