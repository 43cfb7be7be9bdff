# sales_order_plus: `make run` serves the demo database, `make test` runs every suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

help:
	@echo "make run         set up, then serve http://127.0.0.1:8069 (admin/admin) on database sales_order_plus"
	@echo "make test        the add-on's tests + Odoo's sale, sale_stock, sale_purchase, stock_dropshipping, sale_order_type suites"
	@echo "make test-addon  the add-on's own tests only (daily work)"
	@echo "make test-compat the add-on with sale_mrp, stock_delivery, sale_stock_margin, purchase_stock and the glue add-ons: their suites (CI runs it after make test)"
	@echo "make test-quick  TEST_TAGS=/sales_order_plus:TestX: those tests in a copy of a template database (minutes)"
	@echo "make setup       install everything (venv, Odoo, OCA add-ons, chromium); make run/test do it too"
	@echo "make bench       ms and SQL queries per confirmed order, each kind against plain Odoo (also docs/benchmark.md)"
	@echo "make lint        OCA's pre-commit checks (ruff, pylint-odoo, XML/PO checks, README.rst); make test runs it too"
	@echo "make wheel       build the add-ons' wheels (odoo-addon-sales_order_plus, its glue add-ons) into dist/ (whool)"
	@echo "make screenshots PNGs of the key screens into docs/ (a fresh demo database, Odoo's browser test)"
	@echo "make i18n        regenerate i18n/sales_order_plus.pot and merge it into the .po files"
	@echo "make lifecycle   install into a database with orders, update twice, uninstall: figures unchanged"
	@echo "make load        ORDERS=500 CLIENTS=4 orders by Locust users over XML-RPC against --workers=2, checked (RUN_TIME=600 s at most)"
	@echo "make concurrency the same call from two sessions at once: one wins, the other a clean error"
	@echo "make scale       schedule release as queue_job jobs on two instances, one killed mid-run: nothing lost or doubled"
	@echo "make stop        stop this checkout's PostgreSQL cluster"

test-quick:
	bash scripts/test_quick.sh

setup:
	bash scripts/setup.sh

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

test-addon:
	TEST_TAGS=/sales_order_plus LIFECYCLE=0 bash scripts/test.sh

test-compat:
	bash scripts/test_compat.sh

bench:
	bash scripts/bench.sh

lint:
	bash scripts/lint.sh

wheel:
	bash scripts/wheel.sh

screenshots:
	bash scripts/screenshots.sh

i18n:
	bash scripts/i18n.sh

lifecycle:
	bash scripts/lifecycle_check.sh

load:
	bash scripts/load.sh load.py

concurrency:
	bash scripts/load.sh concurrency_check.py

scale:
	bash scripts/scale.sh

stop:
	bash scripts/pg.sh stop

.PHONY: help setup run test test-addon test-compat test-quick bench lint wheel screenshots i18n lifecycle load concurrency scale stop
