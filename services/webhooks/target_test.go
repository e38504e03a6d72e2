package webhooks_test

import (
	"net/netip"
	"testing"

	"github.com/tradehub/tradehub/services/webhooks"
)

func TestAddressAllowed(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"93.184.216.34", true},
		{"8.8.8.8", true},
		{"172.32.0.1", true},
		{"100.128.0.1", true},
		{"2606:4700:4700::1111", true},
		{"2002:5db8:d822::1", true}, // 6to4 of 93.184.216.34
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"::1", false},
		{"10.0.0.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"::", false},
		{"fc00::1", false},
		{"fd00:ec2::254", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"224.0.0.1", false},
		{"255.255.255.255", false},
		{"ff02::1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"::127.0.0.1", false},
		{"64:ff9b::7f00:1", false},  // NAT64 of 127.0.0.1
		{"2002:a00:1::1", false},    // 6to4 of 10.0.0.1
		{"2002:a9fe:a9fe::", false}, // 6to4 of 169.254.169.254
		{"198.18.0.1", false},
		{"192.0.2.1", false},
	}
	for _, tt := range tests {
		if got := webhooks.AddressAllowed(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("AddressAllowed(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if webhooks.AddressAllowed(netip.Addr{}) {
		t.Error("the zero Addr is allowed")
	}
}
