/* Forced into the per-frame build of plugin/core/looper.c and
 * looper_render.c (the Makefile's looper_per_frame.o and
 * looper_render_per_frame.o: -DET_LOOPER_PER_FRAME -include this file):
 * the same source under the names of looper_ref.h, so that test_looper_ref
 * can link both builds into one program. */
#define EtLooper                     RefLooper
#define et_looper_default_controls   ref_looper_default_controls
#define et_looper_ramp_frames        ref_looper_ramp_frames
#define et_looper_new                ref_looper_new
#define et_looper_new_pool           ref_looper_new_pool
#define et_looper_new_in             ref_looper_new_in
#define et_looper_set_mixing         ref_looper_set_mixing
#define et_looper_set_listening      ref_looper_set_listening
#define et_looper_copy_history       ref_looper_copy_history
#define et_looper_process_span       ref_looper_process_span
#define et_looper_store              ref_looper_store
#define et_looper_pool_bytes         ref_looper_pool_bytes
#define et_looper_free               ref_looper_free
#define et_looper_set_controls       ref_looper_set_controls
#define et_looper_set_baseline       ref_looper_set_baseline
#define et_looper_trigger_clear      ref_looper_trigger_clear
#define et_looper_process            ref_looper_process
#define et_looper_state              ref_looper_state
#define et_looper_length             ref_looper_length
#define et_looper_position           ref_looper_position
#define et_looper_capacity           ref_looper_capacity
#define et_looper_view               ref_looper_view
#define et_looper_pin                ref_looper_pin
#define et_looper_unpin              ref_looper_unpin
#define et_loop_view_read            ref_loop_view_read
#define et_loop_view_copy            ref_loop_view_copy
#define et_looper_pool_full          ref_looper_pool_full
#define et_looper_counts             ref_looper_counts
#define et_looper_load               ref_looper_load
#define et_looper_seam_weight        ref_looper_seam_weight
#define et_looper_fade_out_end       ref_looper_fade_out_end
#define et_looper_rejected           ref_looper_rejected
#define et_looper_denormals          ref_looper_denormals
#define et_looper_drop_oldest_undo   ref_looper_drop_oldest_undo
#define et_looper_oldest_undo_serial ref_looper_oldest_undo_serial
#define et_looper_trigger_undo       ref_looper_trigger_undo
#define et_looper_trigger_redo       ref_looper_trigger_redo
#define et_looper_undo_steps         ref_looper_undo_steps
#define et_looper_redo_steps         ref_looper_redo_steps
#define et_looper_undo_refused       ref_looper_undo_refused
#define et_looper_set_hold           ref_looper_set_hold
#define et_looper_passing            ref_looper_passing
#define et_looper_pass_end           ref_looper_pass_end
#define et_looper_set_lag            ref_looper_set_lag
#define et_looper_lag                ref_looper_lag
#define et_looper_max_lag            ref_looper_max_lag
#define et_looper_changing           ref_looper_changing
#define et_looper_idle               ref_looper_idle
#define et_looper_plain_span         ref_looper_plain_span
#define et_looper_mix                ref_looper_mix
/* The two parts' internals (looper_private.h). */
#define et_looper_index_at            ref_looper_index_at
#define et_looper_end_overdub         ref_looper_end_overdub
#define et_looper_end_tail            ref_looper_end_tail
#define et_looper_render              ref_looper_render
#define et_looper_writer_index_at     ref_looper_writer_index_at
#define et_looper_writer_started      ref_looper_writer_started
#define et_looper_writer_full         ref_looper_writer_full
#define et_looper_writer_silence      ref_looper_writer_silence
#define et_looper_use_generic_kernels ref_looper_use_generic_kernels
#define et_looper_remember_input      ref_looper_remember_input
