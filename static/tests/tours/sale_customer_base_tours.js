/** @odoo-module **/
// Browser tours of the screens salespeople and managers use every day. The data
// (customers, orders, users) comes from tests/test_customer_base_tours.py.

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("sale_customer_base_salesperson_tab", {
    steps: () => [
        {
            content: "Open the Customer Base tab of the customer",
            trigger: ".o_notebook .nav-link:contains(Customer Base)",
            run: "click",
        },
        {
            content: "The stage the engine gave",
            trigger: ".o_field_widget[name=customer_stage]:contains(Repeat Customer)",
        },
        {
            content: "Her figures: two orders",
            trigger: ".o_field_widget[name=customer_order_count]:contains(2)",
        },
        {
            content: "The segment",
            trigger: ".o_field_widget[name=customer_segment]",
        },
    ],
});

tours.add("sale_customer_base_winback", {
    steps: () => [
        {
            content: "Only the customers of Tour Seller",
            trigger: ".modal .o_field_widget[name=salesperson_ids] input",
            run: "edit Tour Seller",
        },
        {
            content: "Pick the salesperson",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Seller)",
            run: "click",
        },
        {
            content: "Search the base with the wizard's rules",
            trigger: ".modal button[name=action_preview]",
            run: "click",
        },
        {
            content: "The lost customer is proposed",
            trigger: ".modal .o_field_widget[name=line_ids] td:contains(Tour Lost Customer)",
        },
        {
            content: "Confirm the win-back attempts",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The attempts are listed",
            trigger: ".o_list_view td:contains(Tour Lost Customer)",
        },
    ],
});

tours.add("sale_customer_base_campaign", {
    steps: () => [
        {
            content: "Name the campaign",
            trigger: ".modal .o_field_widget[name=name] input",
            run: "edit Tour autumn calls",
        },
        {
            content: "Only the customers of Tour Seller",
            trigger: ".modal .o_field_widget[name=salesperson_ids] input",
            run: "edit Tour Seller",
        },
        {
            content: "Pick the salesperson",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Seller)",
            run: "click",
        },
        {
            content: "Preview who gets which customers",
            trigger: ".modal button[name=action_preview]",
            run: "click",
        },
        {
            content: "The customer is in the plan",
            trigger: ".modal .o_field_widget[name=line_ids] td:contains(Tour Regular Customer)",
        },
        {
            content: "Launch",
            trigger: ".modal button[name=action_launch]",
            run: "click",
        },
        {
            content: "The campaign opens",
            trigger: ".o_breadcrumb:contains(Tour autumn calls)",
        },
        {
            content: "Open its progress",
            trigger: ".o_notebook .nav-link:contains(Progress per Salesperson)",
            run: "click",
        },
        {
            content: "The salesperson has the customer assigned",
            trigger: ".o_field_widget[name=progress_ids] td:contains(Tour Seller)",
        },
    ],
});

tours.add("sale_customer_base_export", {
    steps: () => [
        {
            content: "Export the workbook",
            trigger: ".modal button[name=action_export]",
            run: "click",
        },
        {
            content: "The download leaves the web client where it was",
            trigger: ".o_web_client",
        },
    ],
});

tours.add("sale_customer_base_settings", {
    steps: () => [
        {
            content: "A customer lost after 10 days, before it is at risk",
            trigger: ".o_field_widget[name=customer_base_lost_days] input",
            run: "edit 10",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The settings refuse it and say why",
            trigger: ".modal:contains(at risk)",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "A value that fits",
            trigger: ".o_field_widget[name=customer_base_lost_days] input",
            run: "edit 400",
        },
        {
            content: "Save again",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: no unsaved changes left, the new value shown",
            trigger: "body:not(:has(.o_dirty_warning)) .o_field_widget[name=customer_base_lost_days] input:value(400)",
        },
    ],
});
