/* Every file that emits trace points includes this. */
#ifndef TRACE_H
#define TRACE_H
#include "trace-generated.h"
#endif
