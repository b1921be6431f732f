/*
 * A RegExp whose matching is bounded: V8's RegExp::NewWithBacktrackLimit, which N-API does not
 * offer (hence V8's own API here, built with the rest at install, so tied to the Node that
 * builds it). HTTP_GET's regex runs on a backend's body inside the daemon's one event loop: a
 * pattern such as (a+)+$ met by a body of 28 'a's and a 'b' backtracks for ~30 s in V8 (VRRP
 * adverts stop, the peer takes over). PCRE2, keepalived's engine, ends such a match with an
 * error at its match limit and keepalived counts it as no match; with a backtrack limit V8's
 * exec returns null in the same place.
 *
 * boundedRegExp(source, flags, limit) -> RegExp (a SyntaxError as `new RegExp` would throw).
 */
#include <node.h>
#include <v8.h>

namespace {

void Throw(v8::Isolate *iso, const char *msg) {
  iso->ThrowException(v8::Exception::TypeError(v8::String::NewFromUtf8(iso, msg).ToLocalChecked()));
}

/* the flags of a RegExp literal; -1 for an unknown or repeated one */
int FlagBits(const char *s) {
  int bits = 0;
  for (; *s; s++) {
    int b;
    switch (*s) {
      case 'd': b = v8::RegExp::kHasIndices; break;
      case 'g': b = v8::RegExp::kGlobal; break;
      case 'i': b = v8::RegExp::kIgnoreCase; break;
      case 'm': b = v8::RegExp::kMultiline; break;
      case 's': b = v8::RegExp::kDotAll; break;
      case 'u': b = v8::RegExp::kUnicode; break;
      case 'v': b = v8::RegExp::kUnicodeSets; break;
      case 'y': b = v8::RegExp::kSticky; break;
      default: return -1;
    }
    if (bits & b) return -1;
    bits |= b;
  }
  return bits;
}

void BoundedRegExp(const v8::FunctionCallbackInfo<v8::Value> &info) {
  v8::Isolate *iso = info.GetIsolate();
  if (info.Length() != 3 || !info[0]->IsString() || !info[1]->IsString() || !info[2]->IsUint32()) {
    Throw(iso, "boundedRegExp(source: string, flags: string, limit: uint32)");
    return;
  }
  v8::String::Utf8Value flags(iso, info[1]);
  int bits = *flags ? FlagBits(*flags) : -1;
  if (bits < 0) {
    iso->ThrowException(v8::Exception::SyntaxError(v8::String::NewFromUtf8Literal(iso, "boundedRegExp: invalid flags")));
    return;
  }
  uint32_t limit = info[2].As<v8::Uint32>()->Value();
  if (limit == 0) {
    Throw(iso, "boundedRegExp: limit must be at least 1");
    return;
  }
  v8::Local<v8::RegExp> re;
  // an invalid pattern leaves V8's SyntaxError pending: it reaches the caller
  if (v8::RegExp::NewWithBacktrackLimit(iso->GetCurrentContext(), info[0].As<v8::String>(), static_cast<v8::RegExp::Flags>(bits), limit).ToLocal(&re)) {
    info.GetReturnValue().Set(re);
  }
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  v8::Isolate *iso = context->GetIsolate();
  v8::Local<v8::Function> fn = v8::FunctionTemplate::New(iso, BoundedRegExp)->GetFunction(context).ToLocalChecked();
  exports->Set(context, v8::String::NewFromUtf8Literal(iso, "boundedRegExp"), fn).Check();
}
