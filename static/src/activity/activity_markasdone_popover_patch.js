import { ActivityMarkAsDone } from "@mail/core/web/activity_markasdone_popover";
import { patch } from "@web/core/utils/patch";

patch(ActivityMarkAsDone.prototype, {
    async onClickDone() {
        // a follow-up call after a sale: "Done" opens the feedback form, as "Done & Schedule Next" does
        // (the server returns that form in place of the next activity, see mail_activity_followup.py)
        if (this.props.activity.customer_followup) {
            return this.onClickDoneAndScheduleNext();
        }
        return super.onClickDone(...arguments);
    },
});
