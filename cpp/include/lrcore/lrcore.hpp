// lrcore: torch.optim.lr_scheduler's schedules in C++17, bit-identical to PyTorch 2.13.
#pragma once

#include "composite.hpp"
#include "cosine.hpp"
#include "cyclic.hpp"
#include "errors.hpp"
#include "functional.hpp"
#include "groups.hpp"
#include "multiplicative.hpp"
#include "per_group.hpp"
#include "plateau.hpp"
#include "pymath.hpp"
#include "scheduler.hpp"
#include "schedules.hpp"
#include "simulate.hpp"
#include "state.hpp"
#include "swa.hpp"
#include "warmup.hpp"

#define LRCORE_VERSION_MAJOR 0
#define LRCORE_VERSION_MINOR 1
#define LRCORE_VERSION_PATCH 0
