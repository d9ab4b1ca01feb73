// Non-Linux build: an addon with no functions, so installing the workspace
// works everywhere. src/native.ts reports RAWSOCK_UNSUPPORTED when it finds
// `supported: false`.
#include <napi.h>

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("supported", Napi::Boolean::New(env, false));
  return exports;
}

NODE_API_MODULE(rawsock, Init)
