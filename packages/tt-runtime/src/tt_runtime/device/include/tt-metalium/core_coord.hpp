// tt-metalium/core_coord.hpp -- core coordinates (tt-runtime emulator version of the TT-Metalium host API).
//
// Owns: CoreCoord (logical x, y), CoreRange (inclusive), CoreRangeSet.
// Called from: the host program (main.cpp), on the host thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

struct CoreCoord {
    std::size_t x = 0;
    std::size_t y = 0;
    constexpr CoreCoord() = default;
    constexpr CoreCoord(std::size_t x_, std::size_t y_) : x(x_), y(y_) {}
    bool operator==(const CoreCoord& o) const { return x == o.x && y == o.y; }
    bool operator!=(const CoreCoord& o) const { return !(*this == o); }
    bool operator<(const CoreCoord& o) const { return y < o.y || (y == o.y && x < o.x); }
    std::string str() const { return "(x=" + std::to_string(x) + ",y=" + std::to_string(y) + ")"; }
};

struct CoreRange {
    CoreCoord start_coord;
    CoreCoord end_coord;
    CoreRange(const CoreCoord& point) : start_coord(point), end_coord(point) {}
    CoreRange(const CoreCoord& start, const CoreCoord& end) : start_coord(start), end_coord(end) {}
    bool contains(const CoreCoord& c) const {
        return c.x >= start_coord.x && c.x <= end_coord.x && c.y >= start_coord.y && c.y <= end_coord.y;
    }
    std::size_t size() const { return (end_coord.x - start_coord.x + 1) * (end_coord.y - start_coord.y + 1); }
    std::vector<CoreCoord> cores() const {
        std::vector<CoreCoord> out;
        for (std::size_t y = start_coord.y; y <= end_coord.y; ++y)
            for (std::size_t x = start_coord.x; x <= end_coord.x; ++x) out.emplace_back(x, y);
        return out;
    }
};

class CoreRangeSet {
public:
    CoreRangeSet() = default;
    CoreRangeSet(const CoreRange& r) : ranges_{r} {}
    CoreRangeSet(const std::vector<CoreRange>& rs) : ranges_(rs) {}
    const std::vector<CoreRange>& ranges() const { return ranges_; }
    std::size_t num_cores() const {
        std::size_t n = 0;
        for (const auto& r : ranges_) n += r.size();
        return n;
    }
    bool contains(const CoreCoord& c) const {
        for (const auto& r : ranges_)
            if (r.contains(c)) return true;
        return false;
    }
    CoreRangeSet merge(const CoreRangeSet& o) const {
        CoreRangeSet out = *this;
        out.ranges_.insert(out.ranges_.end(), o.ranges_.begin(), o.ranges_.end());
        return out;
    }

private:
    std::vector<CoreRange> ranges_;
};

namespace tt::tt_metal {
using ::CoreCoord;
using ::CoreRange;
using ::CoreRangeSet;
}  // namespace tt::tt_metal
