// Command demo seeds the three-industry demo (厨卫 gas stoves, cosmetics,
// PCB) through the public REST API only, then prints consumer verify links
// and terminal QR codes. It is idempotent: re-running it against a seeded
// system changes nothing and succeeds. `make up` runs it once the API is
// ready; `make demo` runs it again. The storyline is in docs/demo.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/idchain/idchain/profile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// demo carries one seeding run.
type demo struct {
	api     *apiClient
	out     io.Writer
	state   *demoState
	maker   string // MSP IDs from the network profile
	partner string
	// platform hosts the small makers' enterprises (the authority org).
	platform string
	stateMu  *sync.Mutex // guards state while enterprises onboard concurrently
	links    []link
}

// link is a verify link printed at the end.
type link struct {
	id, label string
	qr        bool
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	envPath := fs.String("env", "network/.run/env", "env 文件 (IDCHAIN_API, IDCHAIN_KEY_*)")
	profilePath := fs.String("profile", "network/.run/profile.json", "网络描述 network profile (org MSP IDs)")
	statePath := fs.String("state", "network/.run/demo.json", "演示状态 demo state (issued serials)")
	light := fs.Bool("light", false, "浅色终端 QR codes for light terminal backgrounds")
	noQR := fs.Bool("no-qr", false, "不打印二维码 skip terminal QR codes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	env, err := profile.ReadEnvFile(*envPath)
	if err != nil {
		return fmt.Errorf("%w (先运行 run `make up` first)", err)
	}
	base := strings.TrimRight(env["IDCHAIN_API"], "/")
	if base == "" {
		return fmt.Errorf("%s 中没有 IDCHAIN_API (no IDCHAIN_API in the env file)", *envPath)
	}
	keys := map[string]string{}
	for k, v := range env {
		if user, ok := strings.CutPrefix(k, "IDCHAIN_KEY_"); ok {
			keys[user] = v
		}
	}
	d := &demo{
		api:   &apiClient{base: base, keys: keys},
		out:   out,
		maker: "MakerMSP", partner: "PartnerMSP", platform: "PlatformMSP",
		stateMu: &sync.Mutex{},
	}
	d.orgsFromProfile(*profilePath)
	if d.state, err = loadDemoState(*statePath); err != nil {
		return err
	}
	fmt.Fprintf(out, "idchain 演示数据 demo data → %s (maker %s, partner %s)\n", base, d.maker, d.partner)

	var errs []error
	for _, part := range []struct {
		name string
		fn   func(context.Context) error
	}{
		{"prefixes", d.prefixes},
		{"kitchen_bath", d.kitchen},
		{"cosmetics", d.cosmetics},
		{"pcb", d.pcb},
		{"enterprises", d.enterprises},
	} {
		if err := part.fn(ctx); err != nil {
			fmt.Fprintf(out, "  ✗ %s: %v\n", part.name, err)
			errs = append(errs, fmt.Errorf("%s: %w", part.name, err))
		}
		if err := d.state.save(*statePath); err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	d.printLinks(base, !*noQR, *light)
	if len(errs) > 0 {
		return fmt.Errorf("演示未完成 demo incomplete: %w", errors.Join(errs...))
	}
	fmt.Fprintln(out, "\n✓ 演示数据就绪 demo data ready (再次运行不会重复写入 re-running is safe)")
	return nil
}

// prefixes: the platform assigns one prefix per product line to the maker
// and one to the partner (dealer).
func (d *demo) prefixes(ctx context.Context) error {
	d.step("平台分配企业前缀", "platform assigns enterprise prefixes")
	for _, p := range []struct{ prefix, owner string }{
		{kitchenPrefix, d.maker}, {cosmeticsPrefix, d.maker}, {pcbPrefix, d.maker}, {partnerPrefix, d.partner},
	} {
		if err := d.ensurePrefix(ctx, p.prefix, p.owner); err != nil {
			return err
		}
	}
	// The maker's GTINs (690123456789x, 690123456790x) lie under its GS1
	// company prefix: an item's GTIN must lie under a GCP its owner holds.
	d.step("平台分配 GS1 厂商识别代码", "platform assigns GS1 company prefixes")
	return d.ensureGCP(ctx, makerGCP, d.maker)
}

// orgsFromProfile takes the maker and partner MSP IDs from the network
// profile (orgs named "maker" and "partner"); without one the defaults stay.
func (d *demo) orgsFromProfile(path string) {
	p, err := profile.Load(path)
	if err != nil {
		return
	}
	if o, err := p.Org("maker"); err == nil {
		d.maker = o.MSPID
	}
	if o, err := p.Org("partner"); err == nil {
		d.partner = o.MSPID
	}
	if o, err := p.Org("platform"); err == nil {
		d.platform = o.MSPID
	}
}

// printLinks prints the verify links and QR codes for the marked ones.
func (d *demo) printLinks(base string, qr, light bool) {
	d.step("消费者扫码验证链接", "consumer verify links (scan or open)")
	for _, l := range d.links {
		fmt.Fprintf(d.out, "  %s/v%s  %s\n", base, itemPath(l.id), l.label)
	}
	if !qr {
		return
	}
	for _, l := range d.links {
		if !l.qr {
			continue
		}
		fmt.Fprintf(d.out, "\n  %s  %s/v%s\n", l.label, base, itemPath(l.id))
		if err := writeQR(d.out, base+"/v"+itemPath(l.id), light); err != nil {
			fmt.Fprintf(d.out, "  (二维码失败 QR failed: %v)\n", err)
		}
	}
}
