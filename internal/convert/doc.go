// Package convert turns FRRConfiguration objects into the render model of
// one node: selection, per-config conversion and the additive merge. It is
// pure: no client, no controller-runtime, no I/O. The daemon, the webhook
// and frrk8sctl gather the objects their own way and call the same two
// functions, so they accept and refuse exactly the same inputs.
//
// The path of one FRRConfiguration to frr.conf:
//
//  1. Select keeps the configs whose nodeSelector matches the node's
//     labels (callers first keep the daemon namespace's configs only, see
//     InNamespace), sorted by name then namespace.
//  2. Convert takes each selected config in that order. A config's routers
//     become internal routers (router.go, neighbor.go, outgoing.go,
//     incoming.go): prefixes are parsed and masked, neighbors get their
//     ID, family, timers, password (from the config or from a basic-auth
//     Secret through Input.Secrets), and their advertise/receive filters.
//     Errors name the FRRConfiguration (errors.go).
//  3. Each converted router is merged into the router of its VRF
//     (merge*.go): sets are unioned, the more permissive filter wins, and
//     real conflicts (two values for one field) fail with an error that
//     names the field, both values and both FRRConfigurations.
//  4. The merged routers are completed (timers), checked across configs
//     (EVPN) and turned into the frr.Config model with every list sorted
//     (model.go), so the order of the input never changes a byte.
//  5. internal/frr renders the model to frr.conf text as given and the
//     daemon hands it to the reloader.
package convert
