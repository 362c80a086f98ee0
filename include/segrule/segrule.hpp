#pragma once
// segrule's C++ API in one include: compile rule files, evaluate records,
// explain, hot reload. See docs/embedding.md.

#include "segrule/diagnostic.hpp"
#include "segrule/engine.hpp"
#include "segrule/input_format.hpp"
#include "segrule/ruleset.hpp"
#include "segrule/tools.hpp"
