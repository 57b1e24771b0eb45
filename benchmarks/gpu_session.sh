#!/usr/bin/env bash
# Issue 20's GPU checks in one run, for a session that is lent a GPU machine (the H200 of the `device`
# tool): every benchmark with its own timeout, its output in a log under $OUT, one summary at the end.
#
# On the device (JAX, PyTorch, no TensorFlow, no network): carry the keras, namex and optree wheels in
# .whl (see /work/.library/device/README.md), then
#     run(command="bash benchmarks/gpu_session.sh", carry=[".whl"], timeout_s=600)
# The script installs .whl/*.whl into /tmp/site when the folder is there. Its steps take about 8 minutes
# together at most (the timeouts below add up to 525 s); each one that runs out is cut and reported, and
# the next one starts. Here, to try it on a CPU with tiny settings:
#     QUICK=1 OUT=$(mktemp -d) bash benchmarks/gpu_session.sh
#
# What comes back (at most 8 files, as the device allows): session.log (everything, in order), one log
# per benchmark (kernels.txt, throughput.txt, variants.txt, fifty_epochs.txt, trace.txt), and hlo.tgz
# (the optimised HLO of one step, per model and precision).
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/gpu_session_out}
mkdir -p "$OUT"
PYTHON=${PYTHON:-python3}
export KERAS_BACKEND=jax PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=2
# A fresh cache folder: the first fifty_epochs run starts cold, the second loads from it.
export DCGAN_LESSONS_JAX_CACHE=${DCGAN_LESSONS_JAX_CACHE:-$(mktemp -d /tmp/dcgan-jax-cache.XXXX)}
WORK=$(mktemp -d /tmp/gpu-session.XXXX)
SUMMARY=()

if ls .whl/*.whl >/dev/null 2>&1; then
    "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl || { echo "installing .whl/*.whl failed"; exit 1; }
    export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi

if [ "${QUICK:-0}" = 1 ]; then  # a CPU: the same steps, tiny
    KERNELS=(--models 28 --batch-size 8)
    THROUGHPUT=(--models 28 --steps 2 --rounds 1 --batch-size 8 --torch-precisions)
    VARIANTS=(--models 28 --steps 2 --rounds 1 --batch-size 8 --precisions float32 --torch-precisions --unrolls 2)
    FIFTY=(--epochs 2 --images 256 --batch-size 64 --precision mixed_bfloat16)
    TRACE=(--batch-size 8 --chunk 2 --chunks 1)
else
    KERNELS=(--models 28 64)
    THROUGHPUT=(--models 28 64)
    VARIANTS=(--models 28 --precisions float32 mixed_bfloat16 --torch-precisions --unrolls 2 5)
    FIFTY=(--precision mixed_bfloat16)
    TRACE=(--precision mixed_bfloat16 --chunks 2)
fi

# step NAME SECONDS LOG COMMAND...: run one benchmark with a timeout, its output to $OUT/LOG and here.
step() {
    local name=$1 seconds=$2 log=$3
    shift 3
    [ "${QUICK:-0}" = 1 ] && seconds=$((seconds * 3))  # a shared CPU compiles far slower than the GPU's host
    echo "=== $name (at most ${seconds} s): $*"
    local started=$SECONDS
    timeout --kill-after=5 "$seconds" "$@" >"$WORK/step.log" 2>&1
    local code=$?
    { echo "=== $name: $*"; cat "$WORK/step.log"; echo; } >>"$OUT/$log"
    grep -v '^I0000\|^WARNING: All log' "$WORK/step.log" | tail -n 60
    local result="exit $code"
    [ "$code" = 124 ] || [ "$code" = 137 ] && result="TIMED OUT"
    SUMMARY+=("$name: $result after $((SECONDS - started)) s (log: $log)")
    echo
}

{
    echo "=== machine"
    date -u
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
    "$PYTHON" -c "import jax, keras; print('jax', jax.__version__, jax.devices(), '| keras', keras.__version__)" 2>&1 | tail -1
    echo "XLA_FLAGS=${XLA_FLAGS:-}"
    echo

    # 1. Kernels per step from XLA's plan, for both models and both precisions (no timing).
    step "kernels float32" 45 kernels.txt "$PYTHON" benchmarks/step_kernels.py "${KERNELS[@]}" \
        --hlo-dir "$WORK/hlo"
    step "kernels bf16" 45 kernels.txt "$PYTHON" benchmarks/step_kernels.py "${KERNELS[@]}" \
        --precision mixed_bfloat16 --hlo-dir "$WORK/hlo"
    # 2. The issue's throughput table: both models, both precisions, PyTorch eager in a child process.
    step "throughput" 150 throughput.txt "$PYTHON" benchmarks/throughput.py "${THROUGHPUT[@]}"
    # 3. Candidates at 28x28 batch 256: scan unroll (same run), then XLA's command buffers (CUDA graphs)
    #    off, and with the scan's while loop inside them.
    step "unrolls" 60 variants.txt "$PYTHON" benchmarks/throughput.py "${VARIANTS[@]}"
    if [ "${QUICK:-0}" != 1 ]; then
        XLA_FLAGS="${XLA_FLAGS:-} --xla_gpu_enable_command_buffer=" \
            step "command buffers off" 40 variants.txt "$PYTHON" benchmarks/throughput.py \
            --models 28 --precisions float32 --torch-precisions --rounds 3
        XLA_FLAGS="${XLA_FLAGS:-} --xla_gpu_enable_command_buffer=FUSION,CUBLAS,CUBLASLT,CUSTOM_CALL,CUDNN,WHILE,CONDITIONAL" \
            step "command buffers with while" 40 variants.txt "$PYTHON" benchmarks/throughput.py \
            --models 28 --precisions float32 --torch-precisions --rounds 3
    fi
    # 4. 50 MNIST-sized epochs end to end, twice: cold compilation cache, then warm.
    step "fifty epochs, cold cache" 60 fifty_epochs.txt "$PYTHON" benchmarks/fifty_epochs.py "${FIFTY[@]}"
    step "fifty epochs, warm cache" 40 fifty_epochs.txt "$PYTHON" benchmarks/fifty_epochs.py "${FIFTY[@]}"
    # 5. The profiler's view: kernels on the GPU per step, busy time against wall time.
    step "trace" 45 trace.txt "$PYTHON" benchmarks/step_trace.py "${TRACE[@]}" --trace-dir "$WORK/trace"

    tar -czf "$OUT/hlo.tgz" -C "$WORK" hlo 2>/dev/null
    echo "=== summary"
    printf '%s\n' "${SUMMARY[@]}"
} 2>&1 | tee "$OUT/session.log"
