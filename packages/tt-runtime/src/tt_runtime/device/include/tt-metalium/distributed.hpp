// tt-metalium/distributed.hpp -- the mesh API (tt-runtime emulator version of the TT-Metalium host API).
//
// Owns: MeshDevice (a 1x1 mesh = one emulated chip), MeshBuffer (DRAM interleaved), MeshWorkload, MeshCommandQueue and the Enqueue*/Finish calls. Everything runs synchronously: EnqueueMeshWorkload runs the program to completion (or reports its fault).
// Called from: the host program (main.cpp), on the host thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include <tt-metalium/buffer_types.hpp>
#include <tt-metalium/core_coord.hpp>
#include <tt-metalium/program.hpp>

namespace tt::tt_metal::distributed {

class MeshShape {
public:
    MeshShape(uint32_t r = 1, uint32_t c = 1) : rows_(r), cols_(c) {}
    uint32_t mesh_size() const { return rows_ * cols_; }
    uint32_t operator[](int i) const { return i == 0 ? rows_ : cols_; }

private:
    uint32_t rows_, cols_;
};
class MeshCoordinate {
public:
    MeshCoordinate(uint32_t r = 0, uint32_t c = 0) : r_(r), c_(c) {}

private:
    uint32_t r_, c_;
};
class MeshCoordinateRange {
public:
    explicit MeshCoordinateRange(const MeshShape& shape) : shape_(shape) {}
    MeshCoordinateRange(const MeshCoordinate&, const MeshCoordinate&) {}

private:
    MeshShape shape_;
};

class MeshDevice;
class MeshCommandQueue {
public:
    explicit MeshCommandQueue(MeshDevice* d) : device_(d) {}
    MeshDevice* device() const { return device_; }

private:
    MeshDevice* device_;
};

class MeshDevice {
public:
    static std::shared_ptr<MeshDevice> create_unit_mesh(int device_id, size_t l1_small_size = 0,
                                                        size_t trace_region_size = 0, size_t num_command_queues = 1);
    MeshCommandQueue& mesh_command_queue(std::optional<uint8_t> cq_id = std::nullopt);
    MeshShape shape() const { return MeshShape(1, 1); }
    CoreCoord compute_with_storage_grid_size() const;
    CoreCoord worker_core_from_logical_core(const CoreCoord& logical) const;
    CoreCoord virtual_core_from_logical_core(const CoreCoord& logical, int core_type = 0) const {
        return worker_core_from_logical_core(logical);
    }
    uint32_t num_dram_channels() const;
    uint32_t l1_size_per_core() const;
    bool close();
    MeshDevice();

private:
    MeshCommandQueue cq_;
};

struct DeviceLocalBufferConfig {
    DeviceAddr page_size = 0;
    BufferType buffer_type = BufferType::DRAM;
    bool bottom_up = true;
};
struct ReplicatedBufferConfig {
    DeviceAddr size = 0;
};

class MeshBuffer {
public:
    static std::shared_ptr<MeshBuffer> create(const ReplicatedBufferConfig& global, const DeviceLocalBufferConfig& local,
                                              MeshDevice* device, std::optional<DeviceAddr> address = std::nullopt);
    DeviceAddr address() const { return address_; }
    DeviceAddr size() const { return size_; }
    DeviceAddr page_size() const { return page_size_; }
    BufferType buffer_type() const { return type_; }
    bool is_dram() const { return type_ == BufferType::DRAM; }
    uint32_t num_pages() const { return page_size_ ? static_cast<uint32_t>((size_ + page_size_ - 1) / page_size_) : 0; }
    void write_bytes(const void* src, size_t n) const;
    void read_bytes(void* dst, size_t n) const;

    DeviceAddr address_ = 0;
    DeviceAddr size_ = 0;
    DeviceAddr page_size_ = 0;
    BufferType type_ = BufferType::DRAM;
};

class MeshWorkload {
public:
    void add_program(const MeshCoordinateRange& range, Program&& program) {
        (void)range;
        programs_.push_back(std::move(program));
    }
    std::vector<Program>& programs() { return programs_; }

private:
    std::vector<Program> programs_;
};

inline void AddProgramToMeshWorkload(MeshWorkload& w, Program&& p, const MeshCoordinateRange& r) {
    w.add_program(r, std::move(p));
}

void EnqueueMeshWorkload(MeshCommandQueue& cq, MeshWorkload& workload, bool blocking);
void Finish(MeshCommandQueue& cq);

template <typename T>
void EnqueueWriteMeshBuffer(MeshCommandQueue& cq, const std::shared_ptr<MeshBuffer>& buf, const std::vector<T>& src,
                            bool blocking = false) {
    (void)cq, (void)blocking;
    buf->write_bytes(src.data(), src.size() * sizeof(T));
}
template <typename T>
void EnqueueReadMeshBuffer(MeshCommandQueue& cq, std::vector<T>& dst, const std::shared_ptr<MeshBuffer>& buf,
                           bool blocking = true) {
    (void)cq, (void)blocking;
    dst.resize(buf->size() / sizeof(T));
    buf->read_bytes(dst.data(), dst.size() * sizeof(T));
}
template <typename T>
void WriteShard(MeshCommandQueue& cq, const std::shared_ptr<MeshBuffer>& buf, std::vector<T>& src,
                const MeshCoordinate&, bool blocking = false) {
    EnqueueWriteMeshBuffer(cq, buf, src, blocking);
}
template <typename T>
void ReadShard(MeshCommandQueue& cq, std::vector<T>& dst, const std::shared_ptr<MeshBuffer>& buf, const MeshCoordinate&,
               bool blocking = true) {
    EnqueueReadMeshBuffer(cq, dst, buf, blocking);
}

}  // namespace tt::tt_metal::distributed
