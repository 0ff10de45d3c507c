"""The baseline of benches/orders.rs: terraform-provider-ovh's `ovh_cloud_project` create flow,
call for call, driven by OVH's Python SDK against the simulator, N creates with terraform's default
parallelism of 10. Prints one JSON line: calls by route (the simulator's stats, delta over the
run), latencies, throughput.

Usage: terraform_flow.py BASE_URL N [--workers 10] [--time-scale 0.1] [--subsidiary FR]

The flow (docs/ovh-evidence.md#terraform-create-flow; terraform-provider-ovh `ovh/order.go` `orderCreate`,
`waitOrderCompletion`, `ovh/resource_cloud_project.go`, `ovh/helpers/helpers.go` `WaitAvailable`,
terraform-plugin-sdk `helper/retry` `StateChangeConf`, `RetryContext`), per resource with
`ovh_subsidiary` set, a description and no plan configuration or option:

 1. POST /order/cart {"ovhSubsidiary"}          (GET /me first only without ovh_subsidiary)
 2. POST /order/cart/{cartId}/assign
 3. POST /order/cart/{cartId}/cloud {configuration: [], duration, itemId: null, planCode, ...}
 4. GET  /me/payment/method?default=true         (empty: GET checkout preview, fidelityAccount if 0)
 5. POST /order/cart/{cartId}/checkout           no body; the answer carries the order URL
 6. POST /me/order/{orderId}/pay {"paymentMethod": {"id"}}  (or payWithRegisteredPaymentMean)
 7. waitOrderCompletion: GET /me/order/{orderId}/status, StateChangeConf with Delay 10 s,
    MinTimeout 3 s: polls at 10 s, then waits of 3 s, 6 s, then 10 s
 8. GET /me/order/{orderId}, GET .../details, per detail GET .../details/{id} and .../extension
 9. GET /cloud/project/{id} until it is not 404 (RetryContext: at once, then 0.5, 1, 2, 4, 8,
    10 s...)
10. PUT /cloud/project/{id} {"description"}, then GET /cloud/project/{id} (the read)

Provider start (once per run): GET /auth/details; the SDK's first signed call reads GET /auth/time.

Every terraform timing (Delay, MinTimeout, the 10 s cap, the 100 ms start of the backoff, the
0.5 s of RetryContext) is multiplied by --time-scale (default 0.1, i.e. ten times faster than
terraform, which favours terraform); 1 keeps terraform's real timings. The simulator's own delays
(checking, delivering, the 404 window) are not scaled: they are OVH's.
"""

import argparse
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

import ovh
import ovh.client
import ovh.exceptions

PROJECT_ID = re.compile(r"^[0-9a-f]{12}4[0-9a-f]{19}$")


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("base_url")
    p.add_argument("n", type=int)
    p.add_argument("--workers", type=int, default=10, help="terraform's -parallelism (default 10)")
    p.add_argument("--time-scale", type=float, default=0.1)
    p.add_argument("--subsidiary", default="FR")
    p.add_argument("--plan-code", default="project.2018")
    return p.parse_args()


class StateChangeConf:
    """terraform-plugin-sdk v2 `helper/retry.StateChangeConf.WaitForStateContext`: sleep Delay,
    refresh at once, then `wait` starts at 100 ms, doubles each round and is clamped to
    [MinTimeout, 10 s]."""

    def __init__(self, scale, delay, min_timeout):
        self.scale, self.delay, self.min_timeout = scale, delay, min_timeout

    def waits(self):
        time.sleep(self.delay * self.scale)
        yield  # first refresh, no wait
        wait = 0.1
        while True:
            wait *= 2
            wait = min(max(wait, self.min_timeout), 10.0)
            time.sleep(wait * self.scale)
            yield


class Flow:
    def __init__(self, args):
        self.args = args
        self.origin = args.base_url.rsplit("/1.0", 1)[0]
        # The SDK only knows OVH's own endpoints by name; register the simulator as one more.
        ovh.client.ENDPOINTS["sim"] = args.base_url
        self.client = ovh.Client(
            endpoint="sim", application_key="sim-ak", application_secret="sim-as", consumer_key="sim-ck"
        )
        self.lock = threading.Lock()
        self.calls_before_url = []  # per create: OVH calls sent before the order URL was known

    def stats(self):
        return requests.get(f"{self.origin}/_sim/stats").json()["calls"]

    def provider_start(self):
        # tf `ovh/config.go`: GET /auth/details validates the credentials; the first signed call
        # reads GET /auth/time once per client (shared by every resource, as in terraform).
        self.client.get("/auth/details")

    def create(self, i, t0):
        c, s = self.client, self.args.time_scale
        started = time.monotonic()
        calls = 0
        subsidiary = self.args.subsidiary
        if not subsidiary:
            subsidiary = c.get("/me")["ovhSubsidiary"]
            calls += 1
        cart = c.post("/order/cart", ovhSubsidiary=subsidiary.upper())
        cart_id = cart["cartId"]
        c.post(f"/order/cart/{cart_id}/assign")
        item = c.post(
            f"/order/cart/{cart_id}/cloud",
            configuration=[],
            duration="P1M",
            itemId=None,
            planCode=self.args.plan_code,
            pricingMode="default",
            quantity=1,
            domain=None,
        )
        calls += 3
        assert item["cartId"] == cart_id
        methods = c.get("/me/payment/method", default=True)
        calls += 1
        fidelity = False
        if not methods:
            preview = c.get(f"/order/cart/{cart_id}/checkout")
            calls += 1
            if preview["prices"]["withoutTax"]["value"] != 0:
                raise SystemExit("no default payment found")
            fidelity = True
        order = c.post(f"/order/cart/{cart_id}/checkout")
        calls += 1
        url_at = time.monotonic()
        assert order.get("url"), order
        order_id = order["orderId"]
        if fidelity:
            c.post(f"/me/order/{order_id}/payWithRegisteredPaymentMean", paymentMean="fidelityAccount")
        else:
            c.post(f"/me/order/{order_id}/pay", paymentMethod={"id": methods[0]})

        # waitOrderCompletion: pending checking, delivering, ignoreerror; target delivered.
        not_found = 0
        for _ in StateChangeConf(s, delay=10.0, min_timeout=3.0).waits():
            try:
                status = c.get(f"/me/order/{order_id}/status")
            except ovh.exceptions.ResourceNotFoundError:
                status = None
            except ovh.exceptions.APIError:
                status = None
            if status == "delivered":
                break
            if status is None:
                not_found += 1
                if not_found > 20:
                    raise SystemExit(f"order {order_id}: not found 20 times")
                continue
            not_found = 0
            if status not in ("checking", "delivering"):
                raise SystemExit(f"unexpected state '{status}', wanted target 'delivered'")

        c.get(f"/me/order/{order_id}")
        details = c.get(f"/me/order/{order_id}/details")
        project_id = None
        for d in details:
            detail = c.get(f"/me/order/{order_id}/details/{d}")
            c.get(f"/me/order/{order_id}/details/{d}/extension")
            if project_id is None and PROJECT_ID.match(detail.get("domain") or ""):
                project_id = detail["domain"]
        if project_id is None:
            raise SystemExit(f"order {order_id}: unknown service name")

        # helpers.WaitAvailable: RetryContext, MinTimeout 0.5 s, a 404 is retryable.
        for _ in StateChangeConf(s, delay=0.0, min_timeout=0.5).waits():
            try:
                c.get(f"/cloud/project/{project_id}")
                break
            except ovh.exceptions.ResourceNotFoundError:
                continue
        c.put(f"/cloud/project/{project_id}", description=f"tf{i:05d}")
        c.get(f"/cloud/project/{project_id}")
        done_at = time.monotonic()
        with self.lock:
            self.calls_before_url.append(calls)
        return {
            "url_from_apply": url_at - t0,
            "url_from_own_start": url_at - started,
            "done_from_apply": done_at - t0,
            "done_from_own_start": done_at - started,
        }


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[k]


def ms(values):
    return {f"p{p}": round(percentile(values, p) * 1000, 1) for p in (50, 95, 99)}


def main():
    args = parse_args()
    flow = Flow(args)
    before = flow.stats()
    t0 = time.monotonic()
    flow.provider_start()
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        results = list(pool.map(lambda i: flow.create(i, t0), range(args.n)))
    wall = time.monotonic() - t0
    after = flow.stats()
    delta = {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}
    total = sum(delta.values())
    posts = {k: v for k, v in delta.items() if k.startswith("POST ")}
    auth = sum(v for k, v in delta.items() if " /auth/" in k)
    print(
        json.dumps(
            {
                "flow": "terraform-provider-ovh ovh_cloud_project (Python SDK)",
                "n": args.n,
                "workers": args.workers,
                "time_scale": args.time_scale,
                "wall_s": round(wall, 3),
                "projects_per_minute": round(args.n / wall * 60, 1),
                "calls": total,
                "calls_per_project": round(total / args.n, 2),
                # Each create's own calls up to the checkout's answer, plus the shared /auth calls.
                "calls_before_url_per_project": round((sum(flow.calls_before_url) + auth) / args.n, 2),
                "post_retries": sum(max(0, v - args.n) for v in posts.values()),
                "calls_by_route": dict(sorted(delta.items())),
                "apply_to_url_ms": ms([r["url_from_apply"] for r in results]),
                "create_to_url_ms": ms([r["url_from_own_start"] for r in results]),
                "apply_to_done_ms": ms([r["done_from_apply"] for r in results]),
                "create_to_done_ms": ms([r["done_from_own_start"] for r in results]),
            },
            sort_keys=False,
        )
    )


if __name__ == "__main__":
    main()
