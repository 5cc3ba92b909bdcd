/*
 * marker.c: a symbol by which an agentwrap started inside an agentwrap run
 * can tell that the shim is loaded in it (the shim hides its environment
 * variables, so the environment cannot tell). Runs inside the watched
 * process; holds no state.
 */
__attribute__((visibility("default"))) const char agentwrap_shim_marker[] =
    "agentwrap shim";
