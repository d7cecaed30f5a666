"""The peer for turbojet's UNet benchmark: the same SDXL Turbo UNet forward in PyTorch eager.

diffusers' UNet2DConditionModel is built from the SDXL Turbo config turbojet bundles
(engine-core/src/main/resources/dev/turbojet/models/sdxl-turbo/unet/config.json), with random fp16
weights (the timing does not depend on their values), scaled-dot-product attention, batch 1, 77
text tokens; each forward is timed with CUDA events after warm-up, and the medians are printed as
JSON. diffusers is not installed on the GPU host: put its source on PYTHONPATH, e.g. an ignored
folder .peer/diffusers/src (never committed). Run from the repository root:

    PYTHONPATH=.peer/diffusers/src python3 bench/peer/unet_pytorch.py --latent 64 --runs 50 > unet-torch.json

The CPU comparison (fp32, the UNet with the VAE decoder and the text encoders, each side in its own
processes, interleaved, peak RSS too) is bench/peer/cpu-side-by-side.sh, with cpu_components.py as its
PyTorch side.
"""
import argparse
import json
import statistics
import sys

import torch

CONFIG = "engine-core/src/main/resources/dev/turbojet/models/sdxl-turbo/unet/config.json"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--latent", type=int, nargs="+", default=[64, 128], help="latent side (64 = 512 px)")
    p.add_argument("--dtype", default="fp16", choices=["fp16", "bf16"])
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--runs", type=int, default=50)
    args = p.parse_args()

    from diffusers import UNet2DConditionModel
    import diffusers

    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}[args.dtype]
    with open(CONFIG) as f:
        config = json.load(f)
    torch.manual_seed(0)
    unet = UNet2DConditionModel.from_config(config).to("cuda", dtype).eval()
    params = sum(t.numel() for t in unet.parameters())

    results = []
    for side in args.latent:
        sample = torch.randn(1, 4, side, side, device="cuda", dtype=dtype)
        context = torch.randn(1, 77, config["cross_attention_dim"], device="cuda", dtype=dtype)
        added = {"text_embeds": torch.randn(1, config["projection_class_embeddings_input_dim"]
                                            - 6 * config["addition_time_embed_dim"], device="cuda", dtype=dtype),
                 "time_ids": torch.tensor([[8 * side, 8 * side, 0, 0, 8 * side, 8 * side]], device="cuda", dtype=dtype)}
        t = torch.tensor([999.0], device="cuda")
        times = []
        with torch.inference_mode():
            for i in range(args.warmup + args.runs):
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                unet(sample, t, encoder_hidden_states=context, added_cond_kwargs=added)
                end.record()
                torch.cuda.synchronize()
                if i >= args.warmup:
                    times.append(start.elapsed_time(end))
        results.append({"latent": side, "pixels": 8 * side, "median_ms": statistics.median(times),
                        "min_ms": min(times), "max_ms": max(times), "runs": len(times)})

    json.dump({"peer": "diffusers UNet2DConditionModel, PyTorch eager, SDPA attention",
               "torch": torch.__version__, "diffusers": diffusers.__version__, "dtype": args.dtype,
               "gpu": torch.cuda.get_device_name(), "parameters": params, "results": results},
              sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
