#!/usr/bin/perl
# The well-behaved CGI of the VXE demo: what a confined Perl script may do
# (read its environment, compute, answer). Core Perl only.
use strict;
use warnings;

my $query = $ENV{QUERY_STRING} // '';
my %param = map { my ($k, $v) = split /=/, $_, 2; ($k, $v // '') } grep { length } split /&/, $query;
my $name = $param{name} // 'world';
$name =~ s/[^A-Za-z0-9 _.-]//g;

print "Content-Type: text/plain; charset=utf-8\r\n\r\n";
print "hello, $name\n";
print "query: $query\n";
print "method: ", ($ENV{REQUEST_METHOD} // '?'), "\n";
print "script: ", ($ENV{SCRIPT_NAME} // '?'), "\n";
print "server: ", ($ENV{SERVER_SOFTWARE} // '?'), " on port ", ($ENV{SERVER_PORT} // '?'), "\n";
print "client: ", ($ENV{REMOTE_ADDR} // '?'), "\n";
print "perl: $^V, pid $$, uid $<\n";
print "sum 1..100: ", eval { my $s = 0; $s += $_ for 1 .. 100; $s }, "\n";
